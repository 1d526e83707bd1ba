package hl7lake;

import hl7lake.catalog.CatalogLimits;
import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.MessageIndex;
import hl7lake.catalog.PatientCrossReference;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.convert.MessageConverter;
import hl7lake.hl7.Hl7Parser;
import hl7lake.hl7.ValidationProfile;
import hl7lake.inbox.FileClaims;
import hl7lake.inbox.InboxPoller;
import hl7lake.hl7.AckBuilder;
import hl7lake.http.HttpDoor;
import hl7lake.http.HttpServerGuard;
import hl7lake.http.ReplyHeaders;
import hl7lake.http.TokenVerifier;
import org.apache.camel.processor.aggregate.GroupedBodyAggregationStrategy;
import hl7lake.ingest.Acknowledgements;
import hl7lake.ingest.IngestSteps;
import hl7lake.mllp.MllpDoor;
import hl7lake.mllp.MllpHandlers;
import hl7lake.mllp.MllpStats;
import hl7lake.mllp.MllpTls;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import hl7lake.lake.LakeWriter;
import hl7lake.observe.IngestMetrics;
import hl7lake.observe.LakeHealthCheck;
import hl7lake.spi.LocalMode;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.main.Main;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

import java.net.URI;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The running engine: in local mode its embedded lake (found with {@link LocalMode#find()}), the AWS
 * clients, the beans the routes call, and camel-main with the YAML routes. AWS mode checks the bucket
 * and tables first and fails with the names of what is missing.
 */
public final class Engine implements AutoCloseable {

    private final Main main;
    private final LocalMode.Lake local;
    private final LocalMode.Issuer issuer;
    private final S3Client s3;
    private final DynamoDbClient dynamo;

    private final InboxPoller inbox;

    private final HttpServerGuard http;

    private Engine(Main main, LocalMode.Lake local, LocalMode.Issuer issuer, S3Client s3, DynamoDbClient dynamo, InboxPoller inbox,
                   HttpServerGuard http) {
        this.http = http;
        this.main = main;
        this.local = local;
        this.issuer = issuer;
        this.s3 = s3;
        this.dynamo = dynamo;
        this.inbox = inbox;
    }

    private static URI uri(String value) {
        return value == null ? null : URI.create(value);
    }

    /** Starts and returns at once (tests, benchmarks). */
    public static Engine start(EngineSettings settings) throws Exception {
        Engine engine = prepare(settings);
        engine.main.start();
        return engine;
    }

    /** Starts and runs until Ctrl+C or SIGTERM, then stops gracefully. */
    public static void run(EngineSettings settings) throws Exception {
        try (Engine engine = prepare(settings)) {
            engine.main.run();
        }
    }

    private static Engine prepare(EngineSettings settings) {
        boolean localMode = settings.mode().equals("local");
        LocalMode embedded = localMode ? LocalMode.find() : null;
        Path dataDir = localMode && !settings.flag("hl7lake.local.in-memory") ? settings.dataDir() : null;
        LocalMode.Lake local = localMode ? embedded.startLake(dataDir, settings.number("hl7lake.local.s3-port"),
                settings.number("hl7lake.local.dynamodb-port"), settings.get("hl7lake.lake.bucket")) : null;
        String region = settings.get("hl7lake.aws.region");
        URI s3Endpoint = localMode ? local.s3Endpoint() : uri(settings.optional("hl7lake.aws.s3-endpoint"));
        URI dynamoEndpoint = localMode ? local.dynamoEndpoint() : uri(settings.optional("hl7lake.aws.dynamodb-endpoint"));
        S3Client s3 = AwsClients.s3(s3Endpoint, region);
        DynamoDbClient dynamo = AwsClients.dynamo(dynamoEndpoint, region);
        String bucket = settings.get("hl7lake.lake.bucket");
        CatalogTables tables = new CatalogTables(settings.get("hl7lake.catalog.table-prefix"));
        if (localMode) {
            tables.createMissing(dynamo);
        } else {
            failIfMissing(s3, dynamo, bucket, tables);
        }
        Hl7Parser parser = new Hl7Parser();
        MessageConverter converter = new MessageConverter(parser,
                ValidationProfile.of(settings.get("hl7lake.validation.profile")),
                Charset.forName(settings.get("hl7lake.validation.charset-fallback")));
        MessageIndex index = new MessageIndex(dynamo, tables);
        LakeWriter lake = new LakeWriter(s3, bucket);
        IngestSteps steps = new IngestSteps(converter, lake, index,
                new PatientCrossReference(dynamo, tables, Clock.systemUTC()),
                new CatalogLimits(settings.number("hl7lake.catalog.max-patient-identifiers")),
                Duration.ofSeconds(settings.number("hl7lake.storage.deadline-seconds")));
        InboxPoller inbox = new InboxPoller(s3, bucket, settings.get("hl7lake.inbox.prefix"),
                new FileClaims(dynamo, tables, Clock.systemUTC(), Duration.ofSeconds(settings.number("hl7lake.inbox.lease-seconds"))),
                index, settings.number("hl7lake.inbox.parallelism"), settings.number("hl7lake.inbox.max-message-bytes"),
                Clock.systemUTC());

        MllpStats mllpStats = new MllpStats();
        MllpHandlers mllp = new MllpHandlers(settings.number("hl7lake.mllp.max-connections"),
                settings.number("hl7lake.mllp.max-message-bytes"), settings.number("hl7lake.mllp.read-timeout-seconds") * 1000L,
                settings.number("hl7lake.mllp.idle-timeout-seconds"), settings.number("hl7lake.mllp.evict-idle-seconds"),
                settings.number("hl7lake.mllp.max-buffered-bytes"), mllpStats);
        Acknowledgements acks = new Acknowledgements(new AckBuilder(parser.context(), Clock.systemUTC()));

        LocalMode.Issuer issuer = null;
        TokenVerifier tokens = null;
        if (settings.flag("hl7lake.http.door.enabled")) {
            String issuerUrl = settings.optional("hl7lake.http.auth.issuer");
            String clientId = settings.optional("hl7lake.http.auth.client-id");
            if (issuerUrl == null && localMode) { // development only: AWS mode never has a local issuer
                issuer = embedded.startIssuer(dataDir, settings.number("hl7lake.local.issuer-port"));
                issuerUrl = issuer.issuer();
                clientId = clientId == null ? issuer.clientId() : clientId;
            }
            issuerUrl = settings.require(issuerUrl, "hl7lake.http.auth.issuer");
            String jwks = settings.optional("hl7lake.http.auth.jwks-url");
            // where an issuer serves its keys when none is given, as Cognito does
            tokens = new TokenVerifier(toUrl(jwks != null ? jwks : issuerUrl + "/.well-known/jwks.json"), issuerUrl,
                    settings.require(clientId, "hl7lake.http.auth.client-id"),
                    Duration.ofSeconds(settings.number("hl7lake.http.auth.clock-skew-seconds")),
                    Duration.ofSeconds(settings.number("hl7lake.http.auth.jwks-refetch-seconds")));
        }

        Main main = new Main(); // no package scan: the routes come from YAML only (docs/decisions.md, "Camel settings")
        main.setOverrideProperties(settings.asProperties()); // ours win over the application.properties Camel reads itself
        main.bind("ingestSteps", steps);
        main.bind("inboxPoller", inbox);
        main.bind("ingestMetrics", new IngestMetrics());
        main.bind("lakeHealthCheck", new LakeHealthCheck(s3, dynamo, bucket, tables));
        // bound even when the door is off (its route is then not started, but is still built)
        main.bind("httpDoor", new HttpDoor(tokens, acks, settings.number("hl7lake.http.max-message-bytes"),
                Clock.systemUTC(), lake, index));
        main.bind("httpHeaders", new ReplyHeaders());
        // the Vert.x instance platform-http finds in the registry: its HTTP server gets the engine's limits
        HttpServerGuard http = HttpServerGuard.create(settings.number("hl7lake.http.idle-timeout-seconds"),
                settings.number("hl7lake.http.request-header-timeout-seconds"), settings.number("hl7lake.http.max-connections"));
        main.bind("vertx", http);
        main.bind("httpResults", new GroupedBodyAggregationStrategy());
        main.bind("mllpDoor", new MllpDoor(acks, mllpStats, mllp.maxMessageBytes(), Clock.systemUTC()));
        main.bind("mllpIdle", mllp.idle());
        main.bind("mllpConnections", mllp.connections());
        main.bind("mllpFrames", mllp.frames());
        main.bind("mllpEncoder", mllp.encoder());
        main.bind("mllpTls", MllpTls.of(settings));
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport configured) {
                // the registry /observe/metrics serves exists once Camel has started
                try {
                    configured.getCamelContext().addStartupListener((context, alreadyStarted) -> {
                        MeterRegistry registry = context.getRegistry().findSingleByType(MeterRegistry.class);
                        if (registry != null) {
                            mllpStats.bind(registry);
                            http.bind(registry);
                        }
                        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                                VertxPlatformHttpRouter.getRouterNameFromPort(settings.number("hl7lake.http.port")));
                        if (router != null) { // the root router has them already; failures inside the routes' router too
                            HttpServerGuard.jsonErrors(router);
                        }
                    });
                } catch (Exception e) {
                    throw new IllegalStateException("could not register the MLLP metrics", e);
                }
            }
        });
        return new Engine(main, local, issuer, s3, dynamo, inbox, http);
    }

    private static void failIfMissing(S3Client s3, DynamoDbClient dynamo, String bucket, CatalogTables tables) {
        List<String> missing = new ArrayList<>();
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException e) {
            missing.add("S3 bucket " + bucket);
        }
        tables.missing(dynamo).forEach(table -> missing.add("DynamoDB table " + table));
        if (!missing.isEmpty()) {
            throw new IllegalStateException("AWS mode: missing " + String.join(", ", missing)
                    + " (deploy the stack in cloudformation/ or set hl7lake.lake.bucket / hl7lake.catalog.table-prefix)");
        }
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

    private static java.net.URL toUrl(String value) {
        try {
            return new java.net.URL(value);
        } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException("not a URL: " + value, e);
        }
    }

    @Override
    public void close() {
        try {
            main.stop();
        } finally {
            http.stop(); // found in the registry, so platform-http leaves it open
            inbox.close();
            s3.close();
            dynamo.close();
            if (issuer != null) {
                issuer.close();
            }
            if (local != null) {
                local.close();
            }
        }
    }
}
