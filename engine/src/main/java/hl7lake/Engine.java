package hl7lake;

import hl7lake.catalog.CatalogConfiguration;
import hl7lake.catalog.CatalogTables;
import hl7lake.config.EarlyClients;
import hl7lake.config.EngineSettings;
import hl7lake.inbox.InboxDiscovery;
import hl7lake.lake.LakeConfiguration;
import hl7lake.spi.LocalMode;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.OnCamelContextStarted;

import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The running engine: its mode, in local mode its embedded lake (found through {@link LocalMode}: the
 * full jar has it, the production jar has not), and camel-main, which builds the beans from the
 * configuration classes {@code camel.main.configuration-classes} lists (one per concern: lake,
 * catalog, pipeline, doors, observe; each reads its own {@code hl7lake.*} group) and loads the YAML
 * routes. AWS mode fails at start, naming the bucket or tables that are missing.
 */
public final class Engine implements AutoCloseable {

    private final Main main;
    private final LocalMode.Lake local;
    private final LocalMode.Issuer issuer;
    private final EarlyClients clients;

    private Engine(Main main, LocalMode.Lake local, LocalMode.Issuer issuer, EarlyClients clients) {
        this.clients = clients;
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
        properties.putAll(InboxDiscovery.properties(settings)); // which drop-folder discovery route exists
        LocalMode.Lake local = null;
        LocalMode.Issuer issuer = null;
        if (settings.mode().equals("local")) {
            LocalMode embedded = LocalMode.find();
            Path dataDir = settings.flag("hl7lake.local.in-memory") ? null : settings.dataDir();
            local = embedded.startLake(dataDir, settings.number("hl7lake.local.s3-port"),
                    settings.number("hl7lake.local.dynamodb-port"), settings.get("hl7lake.lake.bucket"));
            issuer = startLocal(settings, embedded, dataDir, local, properties);
        }
        // the S3 and DynamoDB clients are built on their own thread while Camel boots (docs/decisions.md, "Start-up")
        // (and in AWS mode the bucket and tables checked with them, their first requests)
        String bucket = properties.getProperty("hl7lake.lake.bucket");
        CatalogTables tables = new CatalogTables(properties.getProperty("hl7lake.catalog.table-prefix"));
        EarlyClients clients = EarlyClients.build(LakeConfiguration.uri(properties.getProperty("hl7lake.aws.s3-endpoint")),
                LakeConfiguration.uri(properties.getProperty("hl7lake.aws.dynamodb-endpoint")),
                properties.getProperty("hl7lake.aws.region"), "aws".equals(settings.mode())
                        ? (s3, dynamo) -> CatalogConfiguration.missing(s3, dynamo, bucket, tables) : null);
        Main main = new Main(); // no package scan: the routes come from YAML only (docs/decisions.md, "Camel settings")
        main.setOverrideProperties(properties); // ours win over the application.properties Camel reads itself
        main.bind("earlyClients", clients);
        if (local != null) {
            // the local lake starts beside Camel's boot, and its tables are created (or brought up to date) as
            // soon as it is up, on a thread of their own; no route may consume before both are done
            LocalMode.Lake started = local;
            CompletableFuture<Void> catalog = new CompletableFuture<>();
            Thread creator = new Thread(() -> {
                try {
                    started.awaitStarted();
                    tables.createMissing(clients.dynamoBeforeBeans());
                    catalog.complete(null);
                } catch (RuntimeException | Error e) {
                    catalog.completeExceptionally(e);
                }
            }, "local-catalog");
            creator.setDaemon(true);
            creator.start();
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void afterConfigure(BaseMainSupport configured) {
                    try {
                        catalog.join();
                    } catch (CompletionException e) {
                        throw e.getCause() instanceof RuntimeException cause ? cause : e;
                    }
                }
            });
        }
        if (issuer != null) {
            // a first start's signing key is made once the doors are open, not on the 2 cores they start on
            LocalMode.Issuer keys = issuer;
            main.bind("localIssuerKey", (OnCamelContextStarted) started -> keys.prepareKey());
        }
        return new Engine(main, local, issuer, clients);
    }

    /**
     * Local mode: the engine runs as in AWS mode against the embedded lake's endpoints, and, when the
     * HTTP door or the query API is on and no issuer is configured, against the local token issuer (development only:
     * AWS mode never has one). Returns that issuer, or null.
     */
    private static LocalMode.Issuer startLocal(EngineSettings settings, LocalMode embedded, Path dataDir,
                                               LocalMode.Lake local, Properties properties) {
        properties.setProperty("hl7lake.aws.s3-endpoint", local.s3Endpoint().toString());
        properties.setProperty("hl7lake.aws.dynamodb-endpoint", local.dynamoEndpoint().toString());
        boolean tokensUsed = settings.flag("hl7lake.http.door.enabled") || settings.flag("hl7lake.api.enabled");
        if (!tokensUsed || settings.optional("hl7lake.http.auth.issuer") != null) {
            return null;
        }
        LocalMode.Issuer issuer = embedded.startIssuer(dataDir, settings.number("hl7lake.local.issuer-port"));
        properties.setProperty("hl7lake.http.auth.issuer", issuer.issuer());
        if (settings.optional("hl7lake.http.auth.client-id") == null) {
            properties.setProperty("hl7lake.http.auth.client-id", issuer.clientId());
        }
        return issuer;
    }

    public CamelContext camel() {
        return main.getCamelContext();
    }

    /** The embedded lake (local mode), else null. */
    public LocalMode.Lake local() {
        return local;
    }

    /** The local token issuer (local mode without a configured issuer), else null. */
    public LocalMode.Issuer issuer() {
        return issuer;
    }

    @Override
    public void close() {
        try {
            main.stop(); // the beans' clients, executors and HTTP server close with Camel's registry
        } finally {
            clients.close(); // a client no bean took
            if (issuer != null) {
                issuer.close();
            }
            if (local != null) {
                local.close();
            }
        }
    }
}
