package hl7lake.refine;

import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.TestFiles;
import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.PatientCrossReference;
import hl7lake.cli.RefineCommand;
import hl7lake.config.EngineSettings;
import hl7lake.config.AwsClients;
import hl7lake.convert.Conversion;
import hl7lake.convert.MessageConverter;
import hl7lake.convert.Receipt;
import hl7lake.convert.StagingCorpus;
import hl7lake.hl7.Er7StreamSplitter;
import hl7lake.hl7.Hl7Parser;
import hl7lake.hl7.ValidationProfile;
import hl7lake.ingest.Inbound;
import hl7lake.ingest.Ingestion;
import hl7lake.ingest.Outcome;
import hl7lake.lake.LakeKeys;
import hl7lake.lake.LakeWriter;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The refined zone of a lake the running engine (local mode, embedded S3 and DynamoDB over real
 * sockets) holds: today's messages ingested through its pipeline (the samples and generated
 * messages of four structures), and 4,800 generated messages of three past days stored as ingest
 * stores them (patients linked in the catalog's cross-reference, documents at their staging keys).
 * Each day is compacted; DuckDB reads the Parquet files through the day manifests, as README does:
 * one messages row per staged message, one observations row per OBX sent, numbers as numbers,
 * patients with the identifiers the cross-reference links; a second run gives the same rows;
 * compaction while messages arrive leaves every manifest naming a whole file; one compaction per
 * day at a time.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RefineLakeTest {

    private static final String BUCKET = "hl7lake";
    private static final CatalogTables TABLES = new CatalogTables("hl7lake-");
    private static final LocalDate[] PAST = {LocalDate.parse("2026-11-01"), LocalDate.parse("2026-11-02"),
            LocalDate.parse("2026-11-03")};
    /** A small day of its own for the claims test, whose compactions are many. */
    private static final LocalDate SMALL = LocalDate.parse("2026-10-31");
    /** A day of its own for the test that changes documents between runs. */
    private static final LocalDate CHANGES = LocalDate.parse("2026-10-20");
    private static final int PAST_PER_STRUCTURE_AND_DAY = 400; // 4 structures x 3 days x 400 = 4,800
    private static final int TODAY_PER_STRUCTURE = 50;
    private static final List<String> STRUCTURES = List.of("ADT_A01", "ORM_O01", "ORU_R01", "SIU_S12");

    private static Engine engine;
    private static S3Client s3;
    private static DynamoDbClient dynamo;
    private static LocalDate today;
    /** day -> message id -> OBX segments the message holds. */
    private static final Map<LocalDate, Map<String, Integer>> sent = new ConcurrentHashMap<>();
    /** message id -> control id of the generated messages, and the glucose results they carry. */
    private static final List<StagingCorpus.Numeric> glucose = Collections.synchronizedList(new ArrayList<>());
    private static final Map<LocalDate, RefineResult> first = new TreeMap<>();

    @TempDir
    static Path folder;

    @BeforeAll
    static void lake() throws Exception {
        engine = Engine.start(TestEngines.local(Map.of("hl7lake.mllp.enabled", "false", "hl7lake.inbox.enabled", "false",
                "hl7lake.refine.enabled", "false", "hl7lake.refine.delay-seconds", "1"))); // the route is started by its test
        s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1");
        dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1");
        StagingCorpus corpus = new StagingCorpus(11L);
        List<byte[]> todays = new ArrayList<>(samples());
        for (String structure : STRUCTURES) {
            for (StagingCorpus.Generated message : corpus.generate(structure, TODAY_PER_STRUCTURE)) {
                todays.add(message.er7().getBytes(StandardCharsets.UTF_8));
                glucose.addAll(message.glucose());
            }
        }
        long t0 = System.nanoTime();
        today = ingest(engine.camel().createProducerTemplate(), todays);
        System.err.printf("refine test: %d messages through the engine in %.1f s%n", todays.size(), (System.nanoTime() - t0) / 1e9);
        List<Past> past = new ArrayList<>();
        Random random = new Random(5);
        for (LocalDate day : PAST) {
            for (String structure : STRUCTURES) {
                for (StagingCorpus.Generated message : corpus.generate(structure, PAST_PER_STRUCTURE_AND_DAY)) {
                    Instant at = day.atStartOfDay().toInstant(ZoneOffset.UTC).plusMillis(random.nextInt(86_400_000));
                    past.add(new Past(at, message.er7().getBytes(StandardCharsets.UTF_8)));
                    glucose.addAll(message.glucose());
                }
            }
        }
        for (String structure : STRUCTURES) {
            for (StagingCorpus.Generated message : corpus.generate(structure, 10)) {
                past.add(new Past(SMALL.atStartOfDay().toInstant(ZoneOffset.UTC).plusMillis(random.nextInt(86_400_000)),
                        message.er7().getBytes(StandardCharsets.UTF_8)));
                glucose.addAll(message.glucose());
            }
        }
        t0 = System.nanoTime();
        storeAsIngestDoes(past);
        System.err.printf("refine test: %d messages stored as ingest does in %.1f s%n", past.size(), (System.nanoTime() - t0) / 1e9);
        assertThat(sent.values().stream().mapToInt(Map::size).sum()).isGreaterThanOrEqualTo(5_000);
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
            dynamo.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private record Past(Instant at, byte[] er7) {
    }

    static List<byte[]> samples() {
        List<byte[]> messages = new ArrayList<>();
        for (Path file : TestFiles.acceptedSamples()) {
            new Er7StreamSplitter(new ByteArrayInputStream(TestFiles.read(file)), 10 << 20).forEachRemaining(m -> messages.add(m.bytes()));
        }
        return messages;
    }

    /** OBX segments in an ER7 message, whatever its segment terminators. */
    static int obx(byte[] er7) {
        int n = 0;
        for (String segment : new String(er7, StandardCharsets.ISO_8859_1).split("[\r\n]+")) {
            if (segment.startsWith("OBX") && segment.length() > 3 && !Character.isLetterOrDigit(segment.charAt(3))) {
                n++;
            }
        }
        return n;
    }

    /** Through the engine's pipeline on 8 threads; each accepted (a sample seen before is a duplicate: not counted twice). Returns the day. */
    static LocalDate ingest(ProducerTemplate pipeline, List<byte[]> messages) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (byte[] bytes : messages) {
                done.add(pool.submit(() -> {
                    Ingestion ingestion = pipeline.requestBody("direct:ingest", Inbound.of(bytes, "mllp", Instant.now()), Ingestion.class);
                    assertThat(ingestion.outcome()).isEqualTo(Outcome.ACCEPTED);
                    sent.computeIfAbsent(dayOf(ingestion.messageId()), d -> new ConcurrentHashMap<>())
                            .put(ingestion.messageId(), obx(bytes));
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return sent.keySet().stream().filter(d -> !List.of(PAST).contains(d)).max(LocalDate::compareTo).orElseThrow();
    }

    /** Messages of past days as ingest stores them: patient linked in the cross-reference, document at its staging key. */
    private static void storeAsIngestDoes(List<Past> messages) throws Exception {
        MessageConverter converter = new MessageConverter(new Hl7Parser(), ValidationProfile.STANDARD, Charset.forName("windows-1252"));
        PatientCrossReference patients = new PatientCrossReference(dynamo, TABLES, Clock.systemUTC());
        LakeWriter lake = new LakeWriter(s3, BUCKET);
        Map<List<String>, String> linked = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Past message : messages) {
                done.add(pool.submit(() -> {
                    long millis = message.at().toEpochMilli();
                    String id = new UUID((millis << 16) | 0x7000L | (message.er7().length & 0x0FFF),
                            0x8000000000000000L | (UUID.randomUUID().getLeastSignificantBits() & 0x3FFFFFFFFFFFFFFFL)).toString();
                    String rawKey = LakeKeys.raw(id);
                    Conversion.Accepted accepted = (Conversion.Accepted) converter.convert(message.er7(),
                            new Receipt(id, "file", message.at(), lake.uri(rawKey)));
                    // the catalog links each identifier list once; later messages of the patient get what it answered then
                    String uuid = linked.computeIfAbsent(accepted.metadata().patientIdentifiers(), ids -> patients.link(ids).uuid());
                    lake.staging(LakeKeys.staging(accepted.metadata().structure(), id), accepted.document(uuid), rawKey);
                    sent.computeIfAbsent(dayOf(id), d -> new ConcurrentHashMap<>()).put(id, obx(message.er7()));
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

    static LocalDate dayOf(String uuidV7) {
        return dayOf(Instant.ofEpochMilli(UUID.fromString(uuidV7).getMostSignificantBits() >>> 16));
    }

    static LocalDate dayOf(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }

    static Compaction compaction(String owner, int keepMinutes) {
        return RefineConfiguration.compaction(s3, dynamo, TABLES, BUCKET, 8, "256MB", keepMinutes, 600, "", owner);
    }

    static RefineResult refine(Compaction compaction, LocalDate day) throws Exception {
        Optional<RefineResult> result = compaction.day(day, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                Duration.ofSeconds(5));
        assertThat(result).as("claimed " + day).isPresent();
        return result.get();
    }

    private static RefinedReader reader(String name) throws Exception {
        return RefinedReader.sync(s3, BUCKET, Files.createDirectories(folder.resolve(name)), RefinedReader.views());
    }

    @Test
    @Order(1)
    void every_table_holds_what_went_in_one_row_per_message_and_per_obx_numbers_as_numbers() throws Exception {
        Compaction compaction = compaction("test", 60);
        for (LocalDate day : sent.keySet().stream().sorted().toList()) {
            first.put(day, refine(compaction, day));
        }
        try (RefinedReader refined = reader("first")) {
            for (Map.Entry<LocalDate, Map<String, Integer>> day : sent.entrySet()) {
                String d = day.getKey().toString();
                RefineResult result = first.get(day.getKey());
                assertThat(result.documents()).isEqualTo(day.getValue().size());
                // one messages row per message, every message once
                List<List<Object>> messages = refined.query("SELECT message_id FROM hl7lake.refined_messages WHERE day = '" + d + "'");
                assertThat(messages.stream().map(r -> (String) r.get(0)).toList())
                        .containsExactlyInAnyOrderElementsOf(day.getValue().keySet());
                // one observations row per OBX the message holds
                Map<String, Integer> obx = new HashMap<>();
                for (List<Object> row : refined.query("SELECT message_id, count(*) FROM hl7lake.refined_observations WHERE day = '"
                        + d + "' GROUP BY message_id")) {
                    obx.put((String) row.get(0), ((Number) row.get(1)).intValue());
                }
                Map<String, Integer> expected = day.getValue().entrySet().stream().filter(e -> e.getValue() > 0)
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
                assertThat(obx).as(d).isEqualTo(expected);
                for (RefinedTables.Table table : RefinedTables.ALL) {
                    assertThat(refined.count("SELECT count(*) FROM hl7lake." + table.glueName() + " WHERE day = '" + d + "'"))
                            .as(d + " " + table.name()).isEqualTo(result.rows().get(table.name()));
                }
                // a patients row per patient the day's messages name, with the identifiers the cross-reference links
                assertThat(refined.count("SELECT count(*) FROM hl7lake.refined_patients WHERE day = '" + d + "'")).isEqualTo(
                        refined.count("SELECT count(DISTINCT patient_uuid) FROM hl7lake.refined_messages WHERE day = '" + d + "'"));
                assertThat(refined.count("SELECT count(*) FROM hl7lake.refined_patients WHERE day = '" + d
                        + "' AND len(identifiers) = 0")).isZero();
            }
            // numeric values are numbers: every NM value that is a number, as a DOUBLE, equal to the text
            assertThat(refined.query("SELECT DISTINCT typeof(value_number) FROM hl7lake.refined_observations")).contains(List.of("DOUBLE"));
            for (List<Object> row : refined.query("SELECT value_text, value_number FROM hl7lake.refined_observations "
                    + "WHERE value_type = 'NM' AND TRY_CAST(value_text AS DOUBLE) IS NOT NULL")) {
                assertThat(row.get(1)).as("%s", row.get(0)).isInstanceOf(Double.class)
                        .isEqualTo(Double.parseDouble((String) row.get(0)));
            }
            // the glucose question, over the refined tables, every day
            List<List<Object>> rows = refined.query("SELECT m.control_id, o.value_number, o.units FROM hl7lake.refined_observations o "
                    + "JOIN hl7lake.refined_messages m USING (message_id, day) WHERE o.code = '2345-7' AND o.value_number IS NOT NULL");
            List<String> got = rows.stream().map(r -> r.get(0) + " " + r.get(1) + " " + r.get(2))
                    .filter(r -> r.startsWith("G")).sorted().toList();
            assertThat(got).hasSizeGreaterThan(20).isEqualTo(glucose.stream().map(n -> n.controlId() + " " + n.value() + " " + n.unit())
                    .sorted().toList());
            for (RefinedTables.Table table : RefinedTables.ALL) {
                if (table != RefinedTables.PATIENT_CONFLICTS) {
                    assertThat(refined.count("SELECT count(*) FROM hl7lake." + table.glueName())).as(table.name()).isPositive();
                }
            }
            // observations point at their order, orders at their message
            assertThat(refined.count("SELECT count(*) FROM hl7lake.refined_observations o JOIN hl7lake.refined_messages m "
                    + "USING (message_id, day) WHERE m.structure = 'ORU_R01' AND o.order_index IS NULL")).isZero();
            assertThat(refined.count("SELECT count(*) FROM hl7lake.refined_observations o LEFT JOIN hl7lake.refined_orders r "
                    + "USING (message_id, day, order_index) WHERE o.order_index IS NOT NULL AND r.message_id IS NULL")).isZero();
        }
        RefineResult past = first.get(PAST[0]);
        assertThat(past.refinedBytes()).isPositive().isLessThan(past.stagingBytes());
    }

    @Test
    @Order(2)
    void a_second_run_gives_the_same_rows_and_files_of_replaced_or_unfinished_runs_go() throws Exception {
        LocalDate day = PAST[1];
        Map<String, List<List<String>>> before = new HashMap<>();
        try (RefinedReader refined = reader("before")) {
            for (RefinedTables.Table table : RefinedTables.ALL) {
                before.put(table.name(), refined.text("SELECT * FROM hl7lake." + table.glueName() + " WHERE day = '" + day + "' ORDER BY ALL"));
            }
        }
        // a run that stopped after uploading, before its switch: its file is named by no manifest
        String unfinished = "019a0000-0000-7000-8000-000000000001";
        s3.putObject(b -> b.bucket(BUCKET).key(RefinedKeys.file("observations", day, unfinished)), RequestBody.fromString("not parquet"));

        RefineResult again = refine(compaction("test", 60), day);
        assertThat(again.runId()).isNotEqualTo(first.get(day).runId());
        assertThat(again.rows()).isEqualTo(first.get(day).rows());
        try (RefinedReader refined = reader("again")) {
            for (RefinedTables.Table table : RefinedTables.ALL) {
                assertThat(refined.text("SELECT * FROM hl7lake." + table.glueName() + " WHERE day = '" + day + "' ORDER BY ALL"))
                        .as(table.name()).isEqualTo(before.get(table.name()));
            }
        }
        // the replaced run's files stay for readers of the old manifest (keep 60 min); the unfinished one is old enough to go
        List<String> files = keys(RefinedKeys.partition("messages", day));
        assertThat(files).hasSize(2);
        assertThat(keys(RefinedKeys.partition("observations", day))).doesNotContain(RefinedKeys.file("observations", day, unfinished));

        RefineResult third = refine(compaction("test", 0), day); // keep nothing older than this run
        assertThat(third.removed()).isEqualTo(2 * RefinedTables.FILES.size()); // the tables' and the sources' files
        for (RefinedTables.Table table : RefinedTables.ALL) {
            assertThat(keys(RefinedKeys.partition(table.name(), day))).containsExactly(RefinedKeys.file(table.name(), day, third.runId()));
        }
    }

    @Test
    @Order(3)
    void one_compaction_of_a_day_at_a_time() throws Exception {
        LocalDate day = SMALL;
        RefineClaims claims = new RefineClaims(dynamo, TABLES, Clock.systemUTC(), Duration.ofMinutes(10));
        // another engine holds the day: this one does not compact it
        RefineClaims.Claim held = claims.take(day, "other").orElseThrow();
        assertThat(compaction("mine", 60).day(day, System.err, Duration.ofMinutes(1))).isEmpty();
        claims.release(held, System.currentTimeMillis(), null);
        // its lease ran out (it died): taken over
        RefineClaims expired = new RefineClaims(dynamo, TABLES, Clock.systemUTC(), Duration.ofMillis(-1));
        assertThat(expired.take(day, "dead")).isPresent();
        assertThat(compaction("mine", 60).day(day, System.err, Duration.ofMinutes(1))).isPresent();

        // two compactors started at once: whenever both ran, their runs did not overlap
        for (int round = 0; round < 3; round++) {
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService two = Executors.newFixedThreadPool(2);
            List<Future<long[]>> runs = new ArrayList<>();
            for (String owner : List.of("a", "b")) {
                runs.add(two.submit(() -> {
                    go.await();
                    long start = System.nanoTime();
                    Optional<RefineResult> result = compaction(owner, 60).day(day, System.err, Duration.ofMinutes(1));
                    return result.isPresent() ? new long[] {start, System.nanoTime()} : null;
                }));
            }
            go.countDown();
            long[] a = runs.get(0).get();
            long[] b = runs.get(1).get();
            two.shutdown();
            assertThat(a != null || b != null).isTrue();
            if (a != null && b != null) {
                assertThat(a[1] < b[0] || b[1] < a[0]).as("both compacted the day at once").isTrue();
            }
        }
    }

    @Test
    @Order(4)
    void compaction_while_messages_arrive_leaves_every_partition_whole() throws Exception {
        ProducerTemplate pipeline = engine.camel().createProducerTemplate();
        StagingCorpus corpus = new StagingCorpus(23L);
        List<byte[]> more = new ArrayList<>();
        for (String structure : STRUCTURES) {
            for (StagingCorpus.Generated m : corpus.generate(structure, 60)) {
                more.add(m.er7().getBytes(StandardCharsets.UTF_8));
                glucose.addAll(m.glucose());
            }
        }
        Map<String, Long> rowsOfRun = new ConcurrentHashMap<>();
        AtomicBoolean arriving = new AtomicBoolean(true);
        ExecutorService background = Executors.newFixedThreadPool(2);
        Future<?> ingesting = background.submit(() -> {
            try {
                return ingest(pipeline, more);
            } finally {
                arriving.set(false);
            }
        });
        // a reader going through the manifest the whole time: the file it names is there and whole
        Future<Integer> reading = background.submit(() -> {
            int reads = 0;
            while (arriving.get() || reads < 3) {
                String manifest = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(RefinedKeys.manifest("messages", today)))
                        .asUtf8String().strip();
                String key = manifest.substring(("s3://" + BUCKET + "/").length());
                Path local = folder.resolve("during-" + reads + ".parquet");
                Files.write(local, s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray());
                try (var duckdb = java.sql.DriverManager.getConnection("jdbc:duckdb:");
                     var rs = duckdb.createStatement().executeQuery("SELECT count(*) FROM read_parquet('" + local + "')")) {
                    rs.next();
                    String run = key.substring(key.lastIndexOf('/') + 1).replace(".parquet", "");
                    long rows = rs.getLong(1);
                    Long reported = rowsOfRun.get(run);
                    if (reported != null) {
                        assertThat(rows).as("run " + run).isEqualTo(reported);
                    }
                    assertThat(rows).isGreaterThanOrEqualTo(first.get(today).rows().get("messages"));
                }
                reads++;
            }
            return reads;
        });
        Compaction compaction = compaction("during", 0);
        int runs = 0;
        do {
            RefineResult result = refine(compaction, today);
            rowsOfRun.put(result.runId(), result.rows().get("messages"));
            runs++;
        } while (!ingesting.isDone());
        ingesting.get();
        RefineResult last = refine(compaction, today);
        rowsOfRun.put(last.runId(), last.rows().get("messages"));
        assertThat(reading.get()).isPositive();
        background.shutdown();
        assertThat(runs).isPositive();
        assertThat(last.rows().get("messages")).isEqualTo(sent.get(today).size());
        try (RefinedReader refined = reader("after")) {
            assertThat(refined.query("SELECT message_id FROM hl7lake.refined_messages WHERE day = '" + today + "'").stream()
                    .map(r -> (String) r.get(0)).toList()).containsExactlyInAnyOrderElementsOf(sent.get(today).keySet());
            assertThat(refined.count("SELECT count(*) FROM hl7lake.refined_observations WHERE day = '" + today + "'"))
                    .isEqualTo(sent.get(today).values().stream().mapToLong(Integer::longValue).sum());
        }
    }

    @Test
    @Order(5)
    void the_refine_command_compacts_the_days_asked_with_progress_and_skips_a_day_another_holds() throws Exception {
        EngineSettings settings = TestEngines.local(Map.of(
                "hl7lake.local.s3-port", Integer.toString(engine.local().s3Endpoint().getPort()),
                "hl7lake.local.dynamodb-port", Integer.toString(engine.local().dynamoEndpoint().getPort())));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status;
        try (PrintStream err = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            status = RefineCommand.run(new String[] {"--mode", "local", "--day", PAST[0].toString(), "--to", PAST[1].toString()},
                    settings, err);
        }
        String said = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(said).isZero();
        assertThat(said).contains("refine: the local lake answers on 127.0.0.1:", "refine: " + PAST[0] + ": "
                        + String.format("%,d", sent.get(PAST[0]).size()) + " staging documents listed", "Parquet files written",
                "refine: done: " + PAST[0] + ": " + String.format("%,d", sent.get(PAST[0]).size()) + " staging documents",
                "refine: done: " + PAST[1] + ": ");
        // compacted before: nothing changed since, so nothing is read again; --full reads every document
        String documents = String.format("%,d", sent.get(PAST[0]).size());
        assertThat(said).contains("refine: done: " + PAST[0] + ": " + documents + " staging documents (", "; 0 read, " + documents
                + " unchanged since the previous run)");
        try (RefinedReader refined = reader("command")) {
            assertThat(refined.count("SELECT count(*) FROM hl7lake.refined_messages WHERE day = '" + PAST[0] + "'"))
                    .isEqualTo(sent.get(PAST[0]).size());
        }
        out.reset();
        try (PrintStream err = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            status = RefineCommand.run(new String[] {"--mode", "local", "--day", PAST[0].toString(), "--full"}, settings, err);
        }
        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("; " + documents + " read, 0 unchanged since the previous run)");

        RefineClaims claims = new RefineClaims(dynamo, TABLES, Clock.systemUTC(), Duration.ofMinutes(10));
        RefineClaims.Claim held = claims.take(PAST[2], "an engine").orElseThrow();
        out.reset();
        try (PrintStream err = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            status = RefineCommand.run(new String[] {"--mode", "local", "--day", PAST[2].toString()}, settings, err);
        }
        assertThat(status).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(PAST[2] + " is being compacted by another run");
        claims.release(held, System.currentTimeMillis(), null);

        out.reset();
        try (PrintStream err = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            assertThat(RefineCommand.run(new String[] {"--mode", "local", "--day", "2026-13-01"}, settings, err)).isEqualTo(2);
            assertThat(RefineCommand.run(new String[] {"--mode", "local", "--day", "2026-11-02", "--to", "2026-11-01"}, settings, err))
                    .isEqualTo(2);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("usage: refine", "is before --day");
    }

    @Test
    @Order(6)
    void the_schedule_compacts_today_and_the_day_before_until_a_run_after_its_end() throws Exception {
        LocalDate yesterday = LocalDate.parse("2026-10-29");
        LocalDate today = yesterday.plusDays(1);
        RefineClaims claims = new RefineClaims(dynamo, TABLES, Clock.systemUTC(), Duration.ofMinutes(10));
        Instant midnight = today.atStartOfDay().toInstant(ZoneOffset.UTC);
        // 30 s after midnight: messages of yesterday may still be in flight; today only
        scheduledAt(midnight.plusSeconds(30));
        assertThat(claims.lastStarted(yesterday)).isEqualTo(-1);
        assertThat(claims.lastStarted(today)).isEqualTo(midnight.plusSeconds(30).toEpochMilli());
        // the first tick after that: yesterday's final run, and today
        scheduledAt(midnight.plusSeconds(300));
        assertThat(claims.lastStarted(yesterday)).isEqualTo(midnight.plusSeconds(300).toEpochMilli());
        assertThat(claims.lastStarted(today)).isEqualTo(midnight.plusSeconds(300).toEpochMilli());
        // an hour later: yesterday is done
        scheduledAt(midnight.plusSeconds(3900));
        assertThat(claims.lastStarted(yesterday)).isEqualTo(midnight.plusSeconds(300).toEpochMilli());
        assertThat(claims.lastStarted(today)).isEqualTo(midnight.plusSeconds(3900).toEpochMilli());

        // the engine's route (routes/refine.yaml) runs it on its timer: today's claim records a run after it started
        long before = System.currentTimeMillis();
        engine.camel().getRouteController().startRoute("refine");
        LocalDate now = LocalDate.now(ZoneOffset.UTC);
        await().atMost(Duration.ofSeconds(60)).until(() -> claims.lastStarted(now) >= before);
        engine.camel().getRouteController().stopRoute("refine");
    }

    private static void scheduledAt(Instant at) {
        Clock clock = Clock.fixed(at, ZoneOffset.UTC);
        Refinery refinery = new Refinery(s3, dynamo, TABLES, BUCKET, new Refinery.Settings(2, "128MB", Duration.ofMinutes(60),
                folder), clock);
        new Compaction(refinery, new RefineClaims(dynamo, TABLES, clock, Duration.ofMinutes(10)), clock, "schedule").scheduled();
    }

    /** The statements of README's ```sql blocks whose first line starts with {@code -- <label>:}, comment lines left out. */
    static List<String> readme(String label) throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<String> statements = new ArrayList<>();
        java.util.regex.Matcher block = java.util.regex.Pattern.compile("```sql\n(.*?)```", java.util.regex.Pattern.DOTALL).matcher(readme);
        while (block.find()) {
            if (block.group(1).startsWith("-- " + label + ":")) {
                for (String statement : block.group(1).split(";\n")) {
                    String sql = statement.lines().filter(l -> !l.startsWith("--")).collect(Collectors.joining("\n")).strip();
                    if (!sql.isEmpty()) {
                        statements.add(sql);
                    }
                }
            }
        }
        return statements;
    }

    @Test
    @Order(7)
    void readmes_queries_return_the_expected_rows_over_what_the_engine_compacted() throws Exception {
        // the truth: every staging document's meta
        List<Map<String, Object>> documents = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> reads = new ArrayList<>();
        for (var object : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix("staging/")).contents()) {
            reads.add(pool.submit(() -> {
                var meta = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                        s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(object.key())).asByteArray()).get("meta");
                Map<String, Object> m = new HashMap<>();
                m.put("day", object.key().split("/")[3].substring("day=".length()));
                for (String field : List.of("structure", "control_id", "message_id", "sending_facility", "patient_uuid")) {
                    m.put(field, meta.hasNonNull(field) ? meta.get(field).asText() : null);
                }
                documents.add(m);
                return null;
            }));
        }
        for (Future<?> read : reads) {
            read.get();
        }
        pool.shutdown();
        // every day was compacted after its last message arrived (the tests before this one)

        List<String> setup = readme("DuckDB setup (refined)");
        assertThat(setup).as("README's views are the ones the tests read through").isEqualTo(RefinedReader.views());
        List<String> sql = readme("Refined, DuckDB and Athena");
        assertThat(sql).hasSize(5);
        for (String query : sql) { // each table a query names is one the stack declares for Athena
            java.util.regex.Matcher table = java.util.regex.Pattern.compile("hl7lake\\.(\\w+)").matcher(query);
            while (table.find()) {
                assertThat(RefinedTables.ALL.stream().map(RefinedTables.Table::glueName)).contains(table.group(1));
            }
        }
        try (RefinedReader refined = RefinedReader.sync(s3, BUCKET, Files.createDirectories(folder.resolve("readme")), setup)) {
            // glucose: every generated result, as a number with its unit
            List<String> got = refined.text(sql.get(0)).stream().map(r -> String.join(" ", r)).filter(r -> r.startsWith("G")).sorted().toList();
            assertThat(got).hasSizeGreaterThan(20).isEqualTo(glucose.stream().map(n -> n.controlId() + " " + n.value() + " " + n.unit())
                    .sorted().toList());
            // patients per facility and day
            Map<List<String>, java.util.Set<String>> perFacility = new HashMap<>();
            for (Map<String, Object> d : documents) {
                java.util.Set<String> uuids = perFacility.computeIfAbsent(java.util.Arrays.asList((String) d.get("sending_facility"),
                        (String) d.get("day")), k -> new java.util.HashSet<>());
                if (d.get("patient_uuid") != null) {
                    uuids.add((String) d.get("patient_uuid"));
                }
            }
            assertThat(refined.text(sql.get(1))).containsExactlyInAnyOrderElementsOf(perFacility.entrySet().stream()
                    .map(e -> List.of(String.valueOf(e.getKey().get(0)), e.getKey().get(1), Integer.toString(e.getValue().size()))).toList());
            // one patient's messages, by an identifier the cross-reference links to the patient
            String uuid = dynamo.query(b -> b.tableName(TABLES.patientIds()).indexName(CatalogTables.LOCAL_INDEX)
                    .keyConditionExpression("local_id = :id").expressionAttributeValues(Map.of(":id",
                            software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("GOODHEALTH#MR#MRN-1000001"))))
                    .items().get(0).get("uuid").s();
            List<List<String>> ofPatient = documents.stream().filter(d -> uuid.equals(d.get("patient_uuid")))
                    .map(d -> List.of((String) d.get("structure"), (String) d.get("control_id"), (String) d.get("message_id"))).toList();
            assertThat(ofPatient).hasSizeGreaterThan(3);
            assertThat(refined.text(sql.get(2))).containsExactlyInAnyOrderElementsOf(ofPatient);
            // the blog's query: every message that names a patient, with the patient's name
            List<List<String>> named = refined.text(sql.get(3));
            assertThat(named).hasSize((int) documents.stream().filter(d -> d.get("patient_uuid") != null).count());
            assertThat(named).contains(List.of("ADT_A01", "ADT-A01-0001", "ALPHA", "TESTPATIENT"));
            // conflicts: each message the catalog linked while its identifiers named another patient shows up
            List<List<String>> conflicts = refined.text(sql.get(4));
            java.util.Set<String> conflicted = new java.util.HashSet<>();
            dynamo.scanPaginator(b -> b.tableName(TABLES.messages())).items().forEach(item -> {
                if (item.containsKey("patient_conflicts")) {
                    conflicted.add(item.get("patient_uuid").s());
                }
            });
            assertThat(conflicted).isNotEmpty();
            assertThat(conflicts.stream().filter(c -> c.get(0).equals("identifier_of_another_patient")).map(c -> c.get(1)).toList())
                    .containsAll(conflicted);
            assertThat(conflicts).allSatisfy(c -> assertThat(c.get(1)).isNotEqualTo(c.get(3)));
        }
    }

    @Test
    @Order(8)
    void a_run_reuses_the_rows_of_unchanged_documents_and_gives_what_reading_everything_gives() throws Exception {
        LocalDate day = CHANGES;
        StagingCorpus corpus = new StagingCorpus(31L);
        Random random = new Random(31);
        storeAsIngestDoes(pastOn(day, corpus, random, 10));
        Compaction compaction = compaction("changes", 0);
        RefineResult first = refine(compaction, day);
        assertThat(first.reused()).isZero();
        assertThat(refine(compaction, day).reused()).as("nothing changed: nothing read").isEqualTo(first.documents());
        String copy = null; // a message at two keys in the previous run
        for (int round = 0; round < 4; round++) {
            // what happens to a day between two runs: messages arrive, a document is rewritten (restage), one is moved
            // to another key (a restage that changed its structure; the old key gone or, for a while, still there), one removed
            storeAsIngestDoes(pastOn(day, corpus, random, 1 + random.nextInt(2)));
            List<String> keys = new ArrayList<>(keys("staging/hl7v2/").stream().filter(k -> k.contains("/day=" + day + "/")).toList());
            Collections.shuffle(keys, random);
            if (copy != null) { // one of the two rewritten: its message's rows are those of the two documents as they are now
                keys.remove(copy);
                keys.add(0, copy);
            }
            String rewritten = keys.get(0);
            com.fasterxml.jackson.databind.node.ObjectNode document = (com.fasterxml.jackson.databind.node.ObjectNode)
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(rewritten)).asByteArray());
            ((com.fasterxml.jackson.databind.node.ObjectNode) document.get("meta")).put("control_id", "RESTAGED-" + round);
            s3.putObject(b -> b.bucket(BUCKET).key(rewritten), RequestBody.fromBytes(document.toString().getBytes(StandardCharsets.UTF_8)));
            String moved = keys.get(1);
            String to = moved.replaceFirst("^(staging/hl7v2/)[^/]+/", "$1ZZZ_Z" + round + "/");
            s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey(moved).destinationBucket(BUCKET).destinationKey(to));
            copy = round % 2 == 0 ? to : null;
            if (copy == null) {
                s3.deleteObject(b -> b.bucket(BUCKET).key(moved));
            }
            s3.deleteObject(b -> b.bucket(BUCKET).key(keys.get(2)));

            RefineResult reusing = refine(compaction, day);
            List<List<List<String>>> rows = rowsOf(day, "reusing-" + round);
            assertThat(reusing.reused()).isPositive().isLessThan(reusing.documents());
            RefineResult again = refine(compaction, day);
            assertThat(again.reused()).as("a run right after: every document unchanged").isEqualTo(again.documents());
            assertThat(rowsOf(day, "again-" + round)).isEqualTo(rows);
            RefineResult full = compaction.day(day, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    Duration.ofSeconds(5), true).orElseThrow();
            assertThat(full.reused()).isZero();
            assertThat(full.rows()).isEqualTo(reusing.rows());
            assertThat(rowsOf(day, "full-" + round)).as("round " + round).isEqualTo(rows);
        }
        // a run that stopped mid-switch: the manifests name two runs, so nothing is reused
        String sources = RefinedKeys.manifest(RefinedTables.SOURCES.name(), day);
        s3.putObject(b -> b.bucket(BUCKET).key(sources), RequestBody.fromString("s3://" + BUCKET + "/"
                + RefinedKeys.file(RefinedTables.SOURCES.name(), day, "019a0000-0000-7000-8000-000000000002") + "\n"));
        assertThat(refine(compaction, day).reused()).isZero();
        assertThat(refine(compaction, day).reused()).isPositive();
    }

    /** {@code perStructure} generated messages of each structure at random times of {@code day}. */
    private static List<Past> pastOn(LocalDate day, StagingCorpus corpus, Random random, int perStructure) {
        List<Past> past = new ArrayList<>();
        for (String structure : STRUCTURES) {
            for (StagingCorpus.Generated message : corpus.generate(structure, perStructure)) {
                past.add(new Past(day.atStartOfDay().toInstant(ZoneOffset.UTC).plusMillis(random.nextInt(86_400_000)),
                        message.er7().getBytes(StandardCharsets.UTF_8)));
            }
        }
        return past;
    }

    /** Every published table's rows of the day, as text, in order. */
    private static List<List<List<String>>> rowsOf(LocalDate day, String name) throws Exception {
        List<List<List<String>>> tables = new ArrayList<>();
        try (RefinedReader refined = reader(name)) {
            for (RefinedTables.Table table : RefinedTables.ALL) {
                tables.add(refined.text("SELECT * FROM hl7lake." + table.glueName() + " WHERE day = '" + day + "' ORDER BY ALL"));
            }
        }
        assertThat(tables.get(0)).isNotEmpty();
        return tables;
    }

    private static List<String> keys(String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream().map(o -> o.key()).toList();
    }
}
