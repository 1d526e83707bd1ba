package hl7lake.refine;

import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.PatientCrossReference;
import hl7lake.config.AwsClients;
import hl7lake.convert.Conversion;
import hl7lake.convert.MessageConverter;
import hl7lake.convert.Receipt;
import hl7lake.convert.StagingCorpus;
import hl7lake.hl7.Hl7Parser;
import hl7lake.hl7.ValidationProfile;
import hl7lake.lake.LakeKeys;
import hl7lake.lake.LakeWriter;
import hl7lake.local.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.File;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged {@code refine} command ({@code java -jar target/hl7lake.jar refine --day D}) killed
 * with SIGKILL while it reads a day's staging documents, beside a running engine (its local lake,
 * ports of its own). A first run of the day completed before; messages arrived since. While the
 * killed run's claim lasts and after it: readers through the manifests see the first run whole; the
 * next run takes the day once the killed run's lease has run out, and afterwards every table's
 * partition holds that run's file only, with one row per message and per OBX of the day, and the
 * killed run's temp directory is gone.
 */
class RefineKillNineIT {

    private static final String BUCKET = "hl7lake";
    private static final CatalogTables TABLES = new CatalogTables("hl7lake-");
    private static final LocalDate DAY = LocalDate.parse("2026-11-05");

    @TempDir
    Path work;
    private int s3Port;
    private int dynamoPort;

    @Test
    void a_run_killed_mid_read_leaves_the_previous_run_current_and_the_next_run_whole() throws Exception {
        s3Port = FreePorts.find();
        dynamoPort = FreePorts.find();
        Path temp = Files.createDirectories(work.resolve("refine-tmp"));
        Process engine = startEngine();
        try (S3Client s3 = AwsClients.s3(URI.create("http://127.0.0.1:" + s3Port), "us-east-1");
             DynamoDbClient dynamo = AwsClients.dynamo(URI.create("http://127.0.0.1:" + dynamoPort), "us-east-1")) {
            awaitLine(work.resolve("engine.log"), "(hl7lake) started in", Duration.ofSeconds(60));
            step("engine started");
            StagingCorpus corpus = new StagingCorpus(23L);
            Map<String, Integer> sent = new ConcurrentHashMap<>(); // message id -> OBX segments
            store(s3, dynamo, corpus, 600, sent, new Random(1));
            step("stored " + sent.size());

            Process first = refine(temp, "first", 1800);
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("first run ends").isTrue();
            assertThat(first.exitValue()).as(log("first")).isZero();
            step("first run");
            Map<String, Long> firstCounts = counts(s3, "after-first");
            assertThat(firstCounts.get("messages")).isEqualTo(sent.size());
            String firstRun = manifestRun(s3, "messages");

            store(s3, dynamo, corpus, 100, sent, new Random(2)); // arrived since: for the next run
            Process killed = refine(temp, "killed", 3);
            // mid-run: the listing is done and rows are being flattened into the run's temp directory, nothing written yet
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> {
                assertThat(killed.isAlive()).as("still running when it is to be killed; its log:\n%s", log("killed")).isTrue();
                return log("killed").contains("staging documents listed") && rowFiles(temp) > 0;
            });
            step("killed run mid-read");
            killed.destroyForcibly(); // SIGKILL: no finally, no shutdown hook
            assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(log("killed")).doesNotContain("Parquet files written");
            assertThat(runDirectories(temp)).as("the killed run's temp directory is left behind").hasSize(1);
            assertThat(manifestRun(s3, "messages")).isEqualTo(firstRun);
            assertThat(counts(s3, "after-kill")).as("readers still see the first run, whole").isEqualTo(firstCounts);

            // its claim lapses with its lease; then the day is compacted again
            await().atMost(Duration.ofSeconds(30)).until(() -> leaseUntil(dynamo) < System.currentTimeMillis());
            Process next = refine(temp, "next", 1800);
            assertThat(next.waitFor(60, TimeUnit.SECONDS)).as("next run ends").isTrue();
            assertThat(next.exitValue()).as(log("next")).isZero();
            step("next run");
            String nextRun = manifestRun(s3, "messages");
            assertThat(nextRun).isNotEqualTo(firstRun);
            for (RefinedTables.Table table : RefinedTables.ALL) {
                assertThat(manifestRun(s3, table.name())).as(table.name()).isEqualTo(nextRun);
                assertThat(keys(s3, RefinedKeys.partition(table.name(), DAY))).as(table.name() + ": the next run's file only")
                        .containsExactly(RefinedKeys.file(table.name(), DAY, nextRun));
            }
            Map<String, Long> nextCounts = counts(s3, "after-next");
            assertThat(nextCounts.get("messages")).isEqualTo(sent.size());
            assertThat(nextCounts.get("distinct_messages")).isEqualTo(sent.size());
            assertThat(nextCounts.get("observations")).isEqualTo(sent.values().stream().mapToLong(Integer::longValue).sum());
            assertThat(runDirectories(temp)).as("temp directories of the killed run and the others").isEmpty();
        } finally {
            engine.destroy();
            engine.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private long t0 = System.nanoTime();

    private void step(String what) {
        System.err.printf(java.util.Locale.ROOT, "refine kill -9: %s at %.1f s%n", what, (System.nanoTime() - t0) / 1e9);
    }

    private Process startEngine() throws Exception {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx512m", "-Dhl7lake.local.s3-port=" + s3Port,
                "-Dhl7lake.local.dynamodb-port=" + dynamoPort, "-Dhl7lake.refine.enabled=false",
                "-Dhl7lake.http.port=" + FreePorts.find(), "-Dhl7lake.local.issuer-port=" + FreePorts.find(),
                "-Dhl7lake.mllp.port=" + FreePorts.find(), "-jar", jar(), "local"));
        return new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(new File(work.resolve("engine.log").toString())).start();
    }

    /** {@code refine --day DAY} through the running engine's lake; keeps no replaced file (keep-minutes 0). */
    private Process refine(Path temp, String name, int leaseSeconds) throws Exception {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx512m", "-Dhl7lake.local.s3-port=" + s3Port,
                "-Dhl7lake.local.dynamodb-port=" + dynamoPort, "-Dhl7lake.refine.temp-dir=" + temp,
                "-Dhl7lake.refine.keep-minutes=0", "-Dhl7lake.refine.lease-seconds=" + leaseSeconds,
                "-jar", jar(), "refine", "--mode", "local", "--day", DAY.toString()));
        return new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(new File(work.resolve(name + ".log").toString())).start();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String jar() {
        return Path.of("target", "hl7lake.jar").toAbsolutePath().toString();
    }

    private String log(String name) throws Exception {
        Path file = work.resolve(name + ".log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private static void awaitLine(Path log, String line, Duration within) throws Exception {
        try {
            await().atMost(within).until(() -> Files.exists(log) && Files.readString(log).contains(line));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            String text = Files.exists(log) ? Files.readString(log) : "(no log)";
            throw new AssertionError("not seen: " + line + "; the log:\n" + text.substring(Math.max(0, text.length() - 4000)), e);
        }
    }

    private static List<Path> runDirectories(Path temp) throws Exception {
        try (Stream<Path> dirs = Files.list(temp)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith(WorkDirectories.PREFIX)).toList();
        }
    }

    /** Row files the runs under {@code temp} have started writing. */
    private static long rowFiles(Path temp) throws Exception {
        long n = 0;
        for (Path run : runDirectories(temp)) {
            try (Stream<Path> files = Files.list(run)) {
                n += files.filter(f -> f.getFileName().toString().startsWith("messages-")).count();
            } catch (java.nio.file.NoSuchFileException gone) {
                // ended meanwhile
            }
        }
        return n;
    }

    private static List<String> keys(S3Client s3, String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }

    /** The run id the day's manifest of {@code table} names. */
    private static String manifestRun(S3Client s3, String table) {
        String uri = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(RefinedKeys.manifest(table, DAY))).asUtf8String().trim();
        return uri.substring(uri.lastIndexOf('/') + 1, uri.length() - ".parquet".length());
    }

    private static long leaseUntil(DynamoDbClient dynamo) {
        var item = dynamo.getItem(b -> b.tableName(TABLES.claims()).consistentRead(true)
                .key(Map.of("claim_id", AttributeValue.fromS("refine#" + DAY)))).item();
        return Long.parseLong(item.get("lease_until").n());
    }

    /** Rows of the day per table, read by DuckDB through the manifests as README does. */
    private Map<String, Long> counts(S3Client s3, String folder) throws Exception {
        try (RefinedReader refined = RefinedReader.sync(s3, BUCKET, Files.createDirectories(work.resolve(folder)), RefinedReader.views())) {
            Map<String, Long> counts = new java.util.TreeMap<>();
            for (RefinedTables.Table table : RefinedTables.ALL) {
                counts.put(table.name(), ((Number) refined.query("SELECT count(*) FROM hl7lake." + table.glueName()
                        + " WHERE day = '" + DAY + "'").get(0).get(0)).longValue());
            }
            counts.put("distinct_messages", ((Number) refined.query("SELECT count(DISTINCT message_id) FROM hl7lake.refined_messages"
                    + " WHERE day = '" + DAY + "'").get(0).get(0)).longValue());
            return counts;
        }
    }

    /**
     * {@code perStructure} generated ORU_R01 and ADT_A01 messages of {@link #DAY} stored as ingest
     * stores them: the patient linked in the catalog's cross-reference, the document at its staging key.
     */
    private void store(S3Client s3, DynamoDbClient dynamo, StagingCorpus corpus, int perStructure, Map<String, Integer> sent,
                       Random random) throws Exception {
        MessageConverter converter = new MessageConverter(new Hl7Parser(), ValidationProfile.STANDARD, Charset.forName("windows-1252"));
        PatientCrossReference patients = new PatientCrossReference(dynamo, TABLES, Clock.systemUTC());
        LakeWriter lake = new LakeWriter(s3, BUCKET);
        Map<List<String>, String> linked = new ConcurrentHashMap<>();
        List<byte[]> messages = new ArrayList<>();
        for (String structure : List.of("ORU_R01", "ADT_A01")) {
            corpus.generate(structure, perStructure).forEach(m -> messages.add(m.er7().getBytes(StandardCharsets.UTF_8)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger n = new AtomicInteger();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (byte[] er7 : messages) {
                Instant at = DAY.atStartOfDay().toInstant(ZoneOffset.UTC).plusMillis(random.nextInt(86_400_000));
                long low = random.nextLong();
                done.add(pool.submit(() -> {
                    String id = new UUID((at.toEpochMilli() << 16) | 0x7000L | (n.incrementAndGet() & 0x0FFF),
                            0x8000000000000000L | (low & 0x3FFFFFFFFFFFFFFFL)).toString();
                    String rawKey = LakeKeys.raw(id);
                    Conversion.Accepted accepted = (Conversion.Accepted) converter.convert(er7, new Receipt(id, "file", at, lake.uri(rawKey)));
                    String uuid = linked.computeIfAbsent(accepted.metadata().patientIdentifiers(), ids -> patients.link(ids).uuid());
                    lake.staging(LakeKeys.staging(accepted.metadata().structure(), id), accepted.document(uuid), rawKey);
                    sent.put(id, obx(er7));
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static int obx(byte[] er7) {
        int n = 0;
        for (String segment : new String(er7, StandardCharsets.ISO_8859_1).split("[\r\n]+")) {
            if (segment.startsWith("OBX") && segment.length() > 3 && !Character.isLetterOrDigit(segment.charAt(3))) {
                n++;
            }
        }
        return n;
    }
}
