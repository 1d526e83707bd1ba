package hl7lake.cli;

import hl7lake.Engine;
import hl7lake.catalog.CatalogTables;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.local.FreePorts;
import hl7lake.refine.RefineConfiguration;
import hl7lake.refine.RefineResult;
import hl7lake.refine.RefinedTables;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * {@code bench refine [--messages N]}: the engine on its in-memory lake ingests a drop file of N
 * messages (half ORU^R01 with six results, one of them glucose, half ADT^A01 with a visit, a
 * diagnosis and an allergy), then the day is compacted (timed: messages per second; then the same
 * GETs by a bare SDK loop, the floor one GET per document puts under it); then N/24 more messages
 * arrive (the day's next hour) and the day's next run is timed, reusing the first run's rows of the
 * documents it does not read again; and in the same
 * run the glucose question (numeric results for LOINC 2345-7, with units) is asked with DuckDB of
 * the staging documents (README's staging query over a local copy) and of the refined tables
 * (README's refined query through the manifests): bytes and seconds of each.
 */
final class RefineBench {

    private static final String[][] RESULTS = {{"2345-7", "Glucose", "mg/dL"}, {"2951-2", "Sodium", "mmol/L"},
        {"2823-3", "Potassium", "mmol/L"}, {"2075-0", "Chloride", "mmol/L"}, {"2028-9", "CO2", "mmol/L"},
        {"3094-0", "BUN", "mg/dL"}};

    private RefineBench() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        int messages = Options.parse(args, "--messages").number("--messages", 20_000, 1);
        Path work = Files.createTempDirectory("hl7lake-refine-bench");
        Path file = work.resolve("feed.hl7");
        generate(file, 0, messages);
        out.printf(Locale.ROOT, "refine on the engine's in-memory lake: %,d messages in one drop file; %d cores, load average %.2f "
                        + "at start, max heap %d MiB%n", messages, Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.getRuntime().maxMemory() >> 20);
        EngineSettings settings = EngineSettings.load(Map.of("hl7lake.mode", "local", "hl7lake.local.in-memory", "true",
                "hl7lake.local.s3-port", "0", "hl7lake.local.dynamodb-port", "0", "hl7lake.local.issuer-port", "0",
                "hl7lake.http.port", Integer.toString(FreePorts.find()), "hl7lake.mllp.enabled", "false",
                "hl7lake.inbox.poll-millis", "100", "hl7lake.refine.enabled", "false"));
        try (Engine engine = Engine.start(settings);
             S3Client s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1");
             DynamoDbClient dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1")) {
            double ingest = EngineBench.drop(s3, file, "feed.hl7");
            out.printf(Locale.ROOT, "ingest:   %,d messages in %.1f s (the engine, drop file; not the figure here)%n", messages, ingest);
            LocalDate day = LocalDate.now(ZoneOffset.UTC);
            var compaction = RefineConfiguration.compaction(s3, dynamo, new CatalogTables(settings.get("hl7lake.catalog.table-prefix")),
                    "hl7lake", settings.number("hl7lake.refine.threads"), settings.get("hl7lake.refine.duckdb-memory"), 60, 1800, "",
                    "bench");
            RefineResult result = compaction.day(day, System.err, Duration.ofSeconds(10)).orElseThrow();
            out.printf(Locale.ROOT, "refine:   %s%n", result);
            out.printf(Locale.ROOT, "compaction: %.0f msgs/s (%d threads)%n", result.documents() / result.seconds(),
                    settings.number("hl7lake.refine.threads"));
            out.printf(Locale.ROOT, "ceiling:  %s%n", bareGets(s3, settings.number("hl7lake.refine.threads")));
            // the day goes on: another hour's messages arrive, and the next run reuses the rows of the documents it does not read again
            int more = Math.max(1, messages / 24);
            Path next = work.resolve("next.hl7");
            generate(next, messages, more);
            EngineBench.drop(s3, next, "next.hl7");
            RefineResult again = compaction.day(day, System.err, Duration.ofSeconds(10)).orElseThrow();
            out.printf(Locale.ROOT, "next run: %s%n", again);
            out.printf(Locale.ROOT, "next run of the day: %,d documents, %,d of them new, in %.1f s: %.0f msgs/s; the first run's %,d "
                            + "unchanged, not read again%n", again.documents(), again.documents() - again.reused(), again.seconds(),
                    again.documents() / again.seconds(), again.reused());
            out.printf(Locale.ROOT, "bytes:    staging %,d in %,d objects, refined %,d in %d files: %.1f x smaller%n",
                    result.stagingBytes(), result.documents(), result.refinedBytes(), RefinedTables.FILES.size(),
                    (double) result.stagingBytes() / result.refinedBytes());

            long copied = copy(s3, "staging/hl7v2/", work.resolve("staging"), "staging/hl7v2/".length());
            copy(s3, "refined/", work.resolve("refined"), "refined/".length());
            out.printf(Locale.ROOT, "copied %,d staging objects and the refined zone to local disk (README's aws s3 sync; not timed)%n", copied);
            String stagingSql = "SELECT t.msh.message_control_id, o.obx.observation_value_typed.number AS value, o.obx.units.identifier AS unit\n"
                    + "FROM read_json_auto('staging/ORU_R01/*/*.json', union_by_name = true, hive_partitioning = true) AS t\n"
                    + "CROSS JOIN UNNEST(t.patient_result) AS a(r)\nCROSS JOIN UNNEST(r.order_observation) AS b(oo)\n"
                    + "CROSS JOIN UNNEST(oo.observation) AS c(o)\n"
                    + "WHERE o.obx.observation_identifier.identifier = '2345-7' AND o.obx.observation_value_typed.number IS NOT NULL";
            String refinedSql = "SELECT m.control_id, o.value_number AS value, o.units AS unit\n"
                    + "FROM hl7lake.refined_observations AS o\n"
                    + "JOIN hl7lake.refined_messages AS m ON m.message_id = o.message_id AND m.day = o.day\n"
                    + "WHERE o.code = '2345-7' AND o.value_number IS NOT NULL";
            try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duckdb.createStatement()) {
                sql.execute("SET preserve_insertion_order = false");
                sql.execute("SET memory_limit = '1GB'");
                sql.execute("SET file_search_path = '" + work + "'");
                long[] staging = timed(sql, stagingSql);
                sql.execute("CREATE SCHEMA hl7lake");
                for (RefinedTables.Table table : List.of(RefinedTables.OBSERVATIONS, RefinedTables.MESSAGES)) {
                    sql.execute("SET VARIABLE " + table.glueName() + " = (SELECT list(regexp_replace(file, '^s3://[^/]+/', '')) "
                            + "FROM read_csv('refined/_manifests/" + table.name() + "/*/manifest', header = false, columns = {'file': 'VARCHAR'}))");
                    sql.execute("CREATE VIEW hl7lake." + table.glueName() + " AS SELECT * FROM read_parquet(getvariable('"
                            + table.glueName() + "'), hive_partitioning = true, hive_types = {'day': 'VARCHAR'})");
                }
                long[] refined = timed(sql, refinedSql);
                out.printf(Locale.ROOT, "glucose query, DuckDB, same run: staging %,d rows in %.3f s; refined %,d rows in %.3f s: %.0f x faster%n",
                        staging[0], staging[1] / 1e9, refined[0], refined[1] / 1e9, (double) staging[1] / refined[1]);
            }
        } finally {
            try (Stream<Path> paths = Files.walk(work)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }

    /** The compaction's floor on this lake: the same GETs of the day's staging documents by a bare loop, nothing parsed or written. */
    private static String bareGets(S3Client s3, int threads) throws Exception {
        List<S3Object> objects = s3.listObjectsV2Paginator(b -> b.bucket("hl7lake").prefix("staging/hl7v2/")).contents().stream().toList();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (S3Object object : objects) {
            done.add(pool.submit(() -> s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(object.key())).asByteArray().length));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        return String.format(Locale.ROOT, "the same %,d GETs by a bare SDK loop on %d threads: %.1f s, %.0f GETs/s (nothing parsed or written)",
                objects.size(), threads, seconds, objects.size() / seconds);
    }

    /** Rows and nanoseconds of a query (every row read). */
    private static long[] timed(Statement sql, String query) throws Exception {
        long t0 = System.nanoTime();
        long rows = 0;
        try (ResultSet result = sql.executeQuery(query)) {
            while (result.next()) {
                rows++;
            }
        }
        return new long[] {rows, System.nanoTime() - t0};
    }

    private static long copy(S3Client s3, String prefix, Path into, int strip) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket("hl7lake").prefix(prefix)).contents()) {
            done.add(pool.submit(() -> {
                Path target = into.resolve(object.key().substring(strip));
                Files.createDirectories(target.getParent());
                Files.write(target, s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(object.key())).asByteArray());
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        return done.size();
    }

    /** Messages {@code from} to {@code from + messages - 1}: half ORU^R01 (six results, one glucose), half ADT^A01 (visit, diagnosis, allergy); 2,000 patients. */
    private static void generate(Path file, int from, int messages) throws Exception {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (int i = from; i < from + messages; i++) {
                String pid = "PID|1||MRN-" + (i % 2000) + "^^^FAC^MR||DOE" + (i % 2000) + "^JANE||19800101|F|||1 MAIN ST^^CITY^ST^12345\r";
                String message;
                if (i % 2 == 0) {
                    StringBuilder oru = new StringBuilder("MSH|^~\\&|LAB|FAC|HL7LAKE|LAKE|20261123101500||ORU^R01^ORU_R01|R-" + i
                            + "|P|2.5\r" + pid + "PV1|1|O|CLINIC^1^A\rORC|RE|PL" + i + "|FI" + i
                            + "\rOBR|1|PL" + i + "|FI" + i + "|80048^Basic metabolic panel^CPT|||20261123090000|||||||||||||||20261123100000|||F\r");
                    for (int r = 0; r < RESULTS.length; r++) {
                        oru.append("OBX|").append(r + 1).append("|NM|").append(RESULTS[r][0]).append('^').append(RESULTS[r][1])
                                .append("^LN||").append(70 + (i * 7 + r * 13) % 90).append('|').append(RESULTS[r][2])
                                .append("|70-110|N|||F|||20261123090000\r");
                    }
                    message = oru.toString();
                } else {
                    message = "MSH|^~\\&|ADT|FAC|HL7LAKE|LAKE|20261123101500||ADT^A01^ADT_A01|A-" + i + "|P|2.5\r"
                            + "EVN|A01|20261123101500\r" + pid + "PV1|1|I|WARD^" + (i % 40) + "^1^FAC|E|||1234^SMITH^JOHN|||MED"
                            + "||||||||V" + i + "|||||||||||||||||||||||||20261123080000\r"
                            + "AL1|1|DA|70618^Penicillin^RXNORM|SV|Hives\rDG1|1||R07.9^Chest pain^I10||20261123|A\r";
                }
                out.write((message + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
    }
}
