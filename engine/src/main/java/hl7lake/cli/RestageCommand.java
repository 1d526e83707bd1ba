package hl7lake.cli;

import hl7lake.catalog.CatalogTables;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.spi.LocalMode;
import hl7lake.convert.MessageConverter;
import hl7lake.hl7.Hl7Parser;
import hl7lake.hl7.ValidationProfile;
import hl7lake.lake.LakeWriter;
import hl7lake.restage.DayRange;
import hl7lake.restage.Restage;
import hl7lake.restage.RestageResult;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code restage [--mode local|aws] --from DAY [--to DAY] [--structure S] [--threads N]}: converts the
 * accepted messages of those days (UTC days of arrival, the staging partitions) again from the raw
 * zone into today's document shape and rewrites their staging objects ({@link Restage}); progress on
 * stderr. Local mode works on the lake under the data directory: through the running engine's
 * embedded servers when they answer on their ports, else by opening that lake itself for the run
 * (the engine cannot start meanwhile: the ports are taken). AWS mode works on the configured bucket
 * and tables, with the default credentials. Exit status: 0 every message restaged or already current,
 * 1 some no longer convert or failed (named on stderr), 2 usage.
 */
public final class RestageCommand {

    static final String USAGE = "usage: restage [--mode local|aws] --from YYYY-MM-DD [--to YYYY-MM-DD] [--structure S] [--threads N]";

    private RestageCommand() {
    }

    public static int run(String[] args, EngineSettings settings, PrintStream err) throws Exception {
        Options options;
        try {
            options = Options.parse(args, "--mode", "--from", "--to", "--structure", "--threads");
        } catch (Options.Usage e) {
            err.println("restage: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        DayRange days;
        int threads;
        String structure = options.has("--structure") ? options.text("--structure", null).toUpperCase(Locale.ROOT) : null;
        try {
            LocalDate from = LocalDate.parse(options.text("--from", ""));
            days = new DayRange(from, options.has("--to") ? LocalDate.parse(options.text("--to", null)) : from);
            threads = options.number("--threads", 8, 1);
            if (structure != null && !structure.matches("[A-Z0-9_]{3,16}")) {
                throw new IllegalArgumentException("--structure is a name such as ORU_R01");
            }
        } catch (DateTimeParseException | IllegalArgumentException | Options.Usage e) {
            err.println("restage: " + (e instanceof DateTimeParseException ? "--from and --to are days, YYYY-MM-DD" : e.getMessage()));
            err.println(USAGE);
            return 2;
        }
        String mode = Lake.mode(options, settings, "restage", err);
        if (mode == null) {
            return 2;
        }
        try (Lake lake = mode.equals("local") ? Lake.local(settings, err) : Lake.aws(settings)) {
            MessageConverter converter = new MessageConverter(new Hl7Parser(),
                    ValidationProfile.of(settings.get("hl7lake.validation.profile")),
                    Charset.forName(settings.get("hl7lake.validation.charset-fallback")));
            err.printf(Locale.ROOT, "restage: %s to %s%s from the raw zone of %s, %d threads%n", days.from(), days.to(),
                    structure == null ? "" : ", " + structure, lake.writer.uri(""), threads);
            RestageResult result = new Restage(lake.s3, lake.dynamo, lake.tables, lake.writer, converter, threads, err,
                    Duration.ofSeconds(5)).run(days, structure);
            err.println("restage: done: " + result);
            if (!result.complete()) {
                err.println("restage: the messages named above were left as they were; see docs/operations.md, \"Restage\"");
            }
            return result.complete() ? 0 : 1;
        }
    }

    /** The lake restage works on, and what it opened to reach it. */
    static final class Lake implements AutoCloseable {
        final S3Client s3;
        final DynamoDbClient dynamo;
        final CatalogTables tables;
        final LakeWriter writer;
        private final LocalMode.Lake opened;

        private Lake(S3Client s3, DynamoDbClient dynamo, EngineSettings settings, LocalMode.Lake opened) {
            this.s3 = s3;
            this.dynamo = dynamo;
            this.tables = new CatalogTables(settings.get("hl7lake.catalog.table-prefix"));
            this.writer = new LakeWriter(s3, settings.get("hl7lake.lake.bucket"));
            this.opened = opened;
        }

        /** The running engine's embedded servers when both answer, else the lake under the data directory, opened here. */
        /**
         * The lake a data command works on: {@code --mode}, else the setting ({@code HL7LAKE_MODE});
         * null, and said on {@code err}, when neither names {@code local} or {@code aws}.
         */
        static String mode(Options options, EngineSettings settings, String command, PrintStream err) {
            String mode = options.text("--mode", settings.optional("hl7lake.mode"));
            if ("local".equals(mode) || "aws".equals(mode)) {
                return mode;
            }
            err.println(command + ": which lake? --mode local (the lake under " + settings.dataDir() + ") or --mode aws "
                    + "(the configured bucket and tables), or HL7LAKE_MODE");
            return null;
        }

        static Lake local(EngineSettings settings, PrintStream err) {
            return local(settings, err, "restage");
        }

        /** As above, {@code command} naming what the lake is opened for in what is printed. */
        static Lake local(EngineSettings settings, PrintStream err, String command) {
            String region = settings.get("hl7lake.aws.region");
            int s3Port = settings.number("hl7lake.local.s3-port");
            int dynamoPort = settings.number("hl7lake.local.dynamodb-port");
            boolean s3Up = listening(s3Port);
            boolean dynamoUp = listening(dynamoPort);
            if (s3Up && dynamoUp) {
                err.printf("%s: the local lake answers on 127.0.0.1:%d and :%d (the engine is running): working through it%n",
                        command, s3Port, dynamoPort);
                Lake lake = new Lake(AwsClients.s3(URI.create("http://127.0.0.1:" + s3Port), region),
                        AwsClients.dynamo(URI.create("http://127.0.0.1:" + dynamoPort), region), settings, null);
                lake.check(settings);
                return lake;
            }
            if (s3Up || dynamoUp) {
                throw new IllegalStateException(command + ": 127.0.0.1:" + (s3Up ? s3Port : dynamoPort) + " answers but 127.0.0.1:"
                        + (s3Up ? dynamoPort : s3Port) + " does not: that is not the engine's local lake (stop what holds the port)");
            }
            if (settings.flag("hl7lake.local.in-memory") || !Files.isDirectory(settings.dataDir().resolve("dynamodb"))) {
                throw new IllegalStateException(command + ": no local lake under " + settings.dataDir().toAbsolutePath()
                        + " (the engine's `local` command makes it)");
            }
            err.printf("%s: the engine is not running: the local lake under %s is opened for the %s "
                    + "(the engine cannot start until it ends)%n", command, settings.dataDir(), command);
            LocalMode.Lake local = LocalMode.find().startLake(settings.dataDir(), s3Port, dynamoPort,
                    settings.get("hl7lake.lake.bucket"));
            local.awaitStarted();
            return new Lake(AwsClients.s3(local.s3Endpoint(), region), AwsClients.dynamo(local.dynamoEndpoint(), region),
                    settings, local);
        }

        /** The configured bucket and tables (endpoints as the engine's AWS mode takes them), which must exist. */
        static Lake aws(EngineSettings settings) {
            String region = settings.get("hl7lake.aws.region");
            String s3Endpoint = settings.optional("hl7lake.aws.s3-endpoint");
            String dynamoEndpoint = settings.optional("hl7lake.aws.dynamodb-endpoint");
            Lake lake = new Lake(AwsClients.s3(s3Endpoint == null ? null : URI.create(s3Endpoint), region),
                    AwsClients.dynamo(dynamoEndpoint == null ? null : URI.create(dynamoEndpoint), region), settings, null);
            lake.check(settings);
            return lake;
        }

        private void check(EngineSettings settings) {
            List<String> missing = new ArrayList<>();
            try {
                s3.headBucket(b -> b.bucket(writer.bucket()));
            } catch (NoSuchBucketException e) {
                missing.add("S3 bucket " + writer.bucket());
            }
            tables.missing(dynamo).forEach(table -> missing.add("DynamoDB table " + table));
            if (!missing.isEmpty()) {
                close();
                throw new IllegalStateException("restage: missing " + String.join(", ", missing)
                        + " (hl7lake.lake.bucket / hl7lake.catalog.table-prefix)");
            }
        }

        private static boolean listening(int port) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return true;
            } catch (IOException nothing) {
                return false;
            }
        }

        @Override
        public void close() {
            s3.close();
            dynamo.close();
            if (opened != null) {
                opened.close();
            }
        }
    }
}
