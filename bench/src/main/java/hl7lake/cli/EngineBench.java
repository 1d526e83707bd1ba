package hl7lake.cli;

import hl7lake.Engine;
import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.MessageIndex;
import hl7lake.catalog.MessageRecord;
import hl7lake.catalog.PatientCrossReference;
import hl7lake.catalog.PatientLink;
import hl7lake.convert.Conversion;
import hl7lake.convert.MessageConverter;
import hl7lake.convert.Receipt;
import hl7lake.hl7.Hl7Parser;
import hl7lake.hl7.MessageMetadata;
import hl7lake.hl7.ValidationProfile;
import hl7lake.lake.LakeKeys;
import hl7lake.lake.LakeWriter;
import hl7lake.lake.MessageIds;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.local.FreePorts;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bench engine [--messages N] [--parallelism C]}: a generated drop file of N messages through
 * the engine on its in-memory embedded lake, timed from the upload to the report, with peak heap;
 * then, in the same run and against the same servers, the same S3 and DynamoDB writes per message
 * done by a bare AWS SDK loop at the same concurrency: the storage ceiling, and the ratio.
 */
final class EngineBench {

    private EngineBench() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options options = Options.parse(args, "--messages", "--parallelism", "--warmup");
        int messages = options.number("--messages", 100_000, 1);
        int parallelism = options.number("--parallelism", 8, 1);
        int warmup = options.number("--warmup", 30_000, 0);
        Path file = Files.createTempFile("hl7lake-bench", ".hl7");
        generate(file, messages, "BENCH");
        Path warmupFile = Files.createTempFile("hl7lake-warmup", ".hl7");
        generate(warmupFile, warmup, "WARMUP");
        out.printf(Locale.ROOT, "engine on its in-memory lake, %,d messages in one drop file (%,d bytes), parallelism %d, "
                + "%d cores, max heap %d MiB%n", messages, Files.size(file), parallelism,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        long startNanos = System.nanoTime();
        EngineSettings settings = EngineSettings.load(Map.of("hl7lake.mode", "local", "hl7lake.local.in-memory", "true",
                "hl7lake.local.s3-port", "0", "hl7lake.local.dynamodb-port", "0", "hl7lake.local.issuer-port", "0",
                "hl7lake.http.port", Integer.toString(FreePorts.find()), "hl7lake.mllp.enabled", "false", "hl7lake.inbox.poll-millis", "100",
                "hl7lake.inbox.parallelism", Integer.toString(parallelism)));
        try (Engine engine = Engine.start(settings);
             S3Client s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1");
             DynamoDbClient dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1")) {
            out.printf(Locale.ROOT, "start to ready (in memory): %d ms%n", (System.nanoTime() - startNanos) / 1_000_000);
            if (warmup > 0) { // the JIT compiles the SDK, Camel and HAPI paths before anything is timed
                double warm = drop(s3, warmupFile, "warmup.hl7");
                out.printf(Locale.ROOT, "warm-up: %,d other messages in %.1f s%n", warmup, warm);
            }
            resetPeakHeap();
            double seconds = drop(s3, file, "bench.hl7");
            double engineRate = messages / seconds;
            out.printf(Locale.ROOT, "engine:  %,d messages in %.1f s = %.0f msgs/s, peak heap %d MiB%n", messages, seconds,
                    engineRate, peakHeap() >> 20);

            double ceiling = ceiling(s3, dynamo, messages, parallelism, false);
            out.printf(Locale.ROOT, "ceiling: the same writes by a bare SDK loop = %.0f msgs/s (on %,d messages)%n", ceiling,
                    messages);
            out.printf(Locale.ROOT, "ratio engine / ceiling: %.2f%n", engineRate / ceiling);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(warmupFile);
        }
        return 0;
    }

    /** Seconds from the upload of a drop file to its leaving the inbox (reported and archived). */
    static double drop(S3Client s3, Path file, String name) throws InterruptedException {
        long t0 = System.nanoTime();
        s3.putObject(b -> b.bucket("hl7lake").key("raw/inbox/" + name), RequestBody.fromFile(file));
        while (!s3.listObjectsV2(b -> b.bucket("hl7lake").prefix("raw/inbox/")).contents().isEmpty()) {
            Thread.sleep(200); // a benchmark polling the lake, not a test
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** ADT^A08 messages of ~330 bytes, distinct control ids, 1,000 patients per {@code tag}. */
    static void generate(Path file, int messages, String tag) throws Exception {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (int i = 0; i < messages; i++) {
                out.write((message(tag, i) + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    /** The {@code i}-th generated message of {@code tag}: control id {@code <tag>-<i>}, one of 1,000 patients. */
    static String message(String tag, int i) {
        return "MSH|^~\\&|BENCH|FAC|HL7LAKE|LAKE|20261123101500||ADT^A08^ADT_A01|" + tag + "-" + i + "|P|2.5\r"
                + "EVN|A08|20261123101500\r"
                + "PID|1||" + tag + "-MRN-" + (i % 1000) + "^^^FAC^MR~" + tag + "-SSN-" + (i % 1000) + "^^^USSSA^SS||"
                + "TESTPATIENT^BENCH^Q||19800101|F|||1 TEST ST^^CITY^ST^00001||^PRN^PH^^1^555^0100001\r"
                + "PV1|1|O|CLINIC^^^FAC||||1234^PHYSICIAN^TEST\r"
                + "OBX|1|NM|8302-2^Body height^LN||170|cm^cm^UCUM|||||F\r";
    }

    /**
     * The storage ceiling: what the pipeline writes for one accepted message, through the same
     * classes and so with the same items and objects (a content claim; the patient claims read and,
     * the first time, claimed, and the cross-reference items; the staging object with its tag and
     * metadata; the control claim; the message item), by a bare loop on {@code parallelism} threads,
     * without Camel, parsing or conversion. With {@code rawPut}, first the raw object too, as for a
     * message from MLLP or HTTP (a drop file's messages share the file's).
     */
    static double ceiling(S3Client s3, DynamoDbClient dynamo, int messages, int parallelism, boolean rawPut) throws Exception {
        CatalogTables tables = new CatalogTables("ceiling-" + UUID.randomUUID().toString().substring(0, 6) + "-");
        tables.createMissing(dynamo);
        MessageIndex index = new MessageIndex(dynamo, tables);
        PatientCrossReference patients = new PatientCrossReference(dynamo, tables, Clock.systemUTC());
        LakeWriter lake = new LakeWriter(s3, "hl7lake");
        MessageConverter converter = new MessageConverter(new Hl7Parser(), ValidationProfile.STANDARD,
                StandardCharsets.ISO_8859_1);
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        List<Conversion.Accepted> converted = new ArrayList<>();
        for (int i = 0; i < 1000; i++) { // converted before the clock starts: one per patient
            byte[] raw = message("CEILING", i).getBytes(StandardCharsets.US_ASCII);
            converted.add((Conversion.Accepted) converter.convert(raw, new Receipt(MessageIds.next(), "bench",
                    Instant.now(), lake.uri("raw/x"))));
        }
        long t0 = System.nanoTime();
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < parallelism; t++) {
            work.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < messages; i = next.getAndIncrement()) {
                    Conversion.Accepted accepted = converted.get(i % 1000);
                    MessageMetadata m = accepted.metadata();
                    String id = MessageIds.next();
                    String sha256 = id + "-" + i;
                    index.claimContent(sha256, id);
                    String rawKey = LakeKeys.raw(id);
                    if (rawPut) {
                        lake.raw(rawKey, message("CEILING", i).getBytes(StandardCharsets.US_ASCII));
                    }
                    PatientLink patient = patients.link(m.patientIdentifiers());
                    String stagingKey = LakeKeys.staging(m.structure(), id);
                    lake.staging(stagingKey, accepted.document(), rawKey);
                    String control = "CEILING-" + i;
                    boolean reused = index.controlIdReused(MessageRecord.senderControl(m.sendingApplication(),
                            m.sendingFacility(), control), sha256);
                    index.record(new MessageRecord(id, control, m.sendingApplication(), m.sendingFacility(),
                            m.receivingApplication(), m.receivingFacility(), m.structure(), m.messageType(),
                            m.triggerEvent(), m.version(), m.messageTime(), Instant.now(), "bench", rawKey, 0L, 330L,
                            stagingKey, patient.uuid(), patient.conflictingUuids(), sha256, m.charset(),
                            accepted.warningCount(), reused));
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return messages / ((System.nanoTime() - t0) / 1e9);
    }

    private static void resetPeakHeap() {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }
}
