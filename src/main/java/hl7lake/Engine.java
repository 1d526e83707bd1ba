package hl7lake;

import hl7lake.config.EngineSettings;
import hl7lake.http.LocalIssuer;
import hl7lake.local.LocalLake;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

import java.util.Properties;

/**
 * The running engine: its mode, in local mode its embedded lake, and camel-main, which builds the
 * beans from the configuration classes {@code camel.main.configuration-classes} lists (one per
 * concern: lake, catalog, pipeline, doors, observe; each reads its own {@code hl7lake.*} group) and
 * loads the YAML routes. AWS mode fails at start, naming the bucket or tables that are missing.
 */
public final class Engine implements AutoCloseable {

    private final Main main;
    private final LocalLake local;
    private final LocalIssuer issuer;

    private Engine(Main main, LocalLake local, LocalIssuer issuer) {
        this.main = main;
        this.local = local;
        this.issuer = issuer;
    }

    /** Starts and returns at once (tests, benchmarks). */
    public static Engine start(EngineSettings settings) throws Exception {
        Engine engine = prepare(settings);
        try {
            engine.main.start();
        } catch (Exception e) {
            engine.close();
            throw misconfigured(e);
        }
        return engine;
    }

    /** Starts and runs until Ctrl+C or SIGTERM, then stops gracefully. */
    public static void run(EngineSettings settings) throws Exception {
        try (Engine engine = prepare(settings)) {
            engine.main.run();
        } catch (Exception e) {
            throw misconfigured(e);
        }
    }

    /**
     * A missing setting or AWS resource, as the configuration class that found it said it (an
     * IllegalStateException naming it), rather than Camel's wrapper around it; else {@code failure}.
     */
    private static Exception misconfigured(Exception failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IllegalStateException named) {
                return named;
            }
        }
        return failure;
    }

    private static Engine prepare(EngineSettings settings) {
        Properties properties = settings.asProperties();
        LocalLake local = null;
        LocalIssuer issuer = null;
        if (settings.mode().equals("local")) {
            local = LocalLake.start(settings);
            issuer = startLocal(settings, local, properties);
        }
        Main main = new Main(); // no package scan: the routes come from YAML only (docs/decisions.md, "Camel settings")
        main.setOverrideProperties(properties); // ours win over the application.properties Camel reads itself
        if (local != null) {
            LocalLake started = local;
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void afterConfigure(BaseMainSupport configured) {
                    // the local lake starts beside Camel's boot; no route may consume before it is there
                    started.awaitStarted();
                }
            });
        }
        return new Engine(main, local, issuer);
    }

    /**
     * Local mode: the engine runs as in AWS mode against the embedded lake's endpoints, and, when the
     * HTTP door is on and no issuer is configured, against the local token issuer (development only:
     * AWS mode never has one). Returns that issuer, or null.
     */
    private static LocalIssuer startLocal(EngineSettings settings, LocalLake local, Properties properties) {
        properties.setProperty("hl7lake.aws.s3-endpoint", local.s3Endpoint().toString());
        properties.setProperty("hl7lake.aws.dynamodb-endpoint", local.dynamoEndpoint().toString());
        if (!settings.flag("hl7lake.http.door.enabled") || settings.optional("hl7lake.http.auth.issuer") != null) {
            return null;
        }
        LocalIssuer issuer = LocalIssuer.start(settings.flag("hl7lake.local.in-memory") ? null : settings.dataDir(),
                settings.number("hl7lake.local.issuer-port"));
        properties.setProperty("hl7lake.http.auth.issuer", issuer.issuer());
        if (settings.optional("hl7lake.http.auth.client-id") == null) {
            properties.setProperty("hl7lake.http.auth.client-id", LocalIssuer.CLIENT_ID);
        }
        return issuer;
    }

    public CamelContext camel() {
        return main.getCamelContext();
    }

    public LocalLake local() {
        return local;
    }

    /** The local token issuer (local mode without a configured issuer), else null. */
    public LocalIssuer issuer() {
        return issuer;
    }

    @Override
    public void close() {
        try {
            main.stop(); // the beans' clients, executors and HTTP server close with Camel's registry
        } finally {
            if (issuer != null) {
                issuer.close();
            }
            if (local != null) {
                local.close();
            }
        }
    }
}
