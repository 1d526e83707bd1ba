package hl7lake.cli;

import hl7lake.Engine;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.local.FreePorts;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
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
        int messages = 100_000;
        int parallelism = 8;
        int warmup = 10_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--parallelism" -> parallelism = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path file = Files.createTempFile("hl7lake-bench", ".hl7");
        generate(file, messages, "BENCH");
        Path warmupFile = Files.createTempFile("hl7lake-warmup", ".hl7");
        generate(warmupFile, warmup, "WARMUP");
        out.printf(Locale.ROOT, "engine on its in-memory lake, %,d messages in one drop file (%,d bytes), parallelism %d, "
                + "%d cores, max heap %d MiB%n", messages, Files.size(file), parallelism,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        long startNanos = System.nanoTime();
        EngineSettings settings = EngineSettings.load(Map.of("hl7lake.mode", "local", "hl7lake.local.in-memory", "true",
                "hl7lake.local.s3-port", "0", "hl7lake.local.dynamodb-port", "0",
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

            double ceiling = ceiling(s3, dynamo, messages, parallelism);
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
    private static double drop(S3Client s3, Path file, String name) throws InterruptedException {
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
                out.write(("MSH|^~\\&|BENCH|FAC|HL7LAKE|LAKE|20261123101500||ADT^A08^ADT_A01|BENCH-" + i + "|P|2.5\r"
                        + "EVN|A08|20261123101500\r"
                        + "PID|1||" + tag + "-MRN-" + (i % 1000) + "^^^FAC^MR~" + tag + "-SSN-" + (i % 1000) + "^^^USSSA^SS||TESTPATIENT^BENCH^Q||"
                        + "19800101|F|||1 TEST ST^^CITY^ST^00001||^PRN^PH^^1^555^0100001\r"
                        + "PV1|1|O|CLINIC^^^FAC||||1234^PHYSICIAN^TEST\r"
                        + "OBX|1|NM|8302-2^Body height^LN||170|cm^cm^UCUM|||||F\r\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    /**
     * What the pipeline writes for one accepted message from a drop file, done directly: a content
     * claim, the patient claims read and (first time) claimed, the cross-reference items, the staging
     * object with its tag, the control claim and the message item.
     */
    static double ceiling(S3Client s3, DynamoDbClient dynamo, int messages, int parallelism) throws Exception {
        String prefix = "ceiling-" + UUID.randomUUID().toString().substring(0, 6) + "-";
        new hl7lake.catalog.CatalogTables(prefix).createMissing(dynamo);
        byte[] document = ("{\"meta\":{}," + "\"f\":\"0123456789abcdef\",".repeat(60) + "\"z\":1}").getBytes(StandardCharsets.UTF_8);
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        long t0 = System.nanoTime();
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < parallelism; t++) {
            work.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < messages; i = next.getAndIncrement()) {
                    String id = UUID.randomUUID().toString();
                    putOnce(dynamo, prefix + "claims", Map.of("claim_id", s("content#" + id), "message_id", s(id)));
                    List<String> localIds = List.of("FAC#MR#MRN-" + (i % 1000), "USSSA#SS#SSN-" + (i % 1000));
                    var got = dynamo.batchGetItem(b -> b.requestItems(Map.of(prefix + "claims", KeysAndAttributes.builder()
                            .consistentRead(true).keys(localIds.stream().map(l -> Map.of("claim_id", s("patient#" + l))).toList())
                            .build())));
                    if (got.responses().get(prefix + "claims").isEmpty()) {
                        try { // a new patient's identifiers are claimed together, as the pipeline does
                            dynamo.transactWriteItems(b -> b.transactItems(localIds.stream().map(local ->
                                    software.amazon.awssdk.services.dynamodb.model.TransactWriteItem.builder().put(p -> p
                                            .tableName(prefix + "claims").item(Map.of("claim_id", s("patient#" + local), "uuid", s(id)))
                                            .conditionExpression("attribute_not_exists(claim_id)")).build()).toList()));
                        } catch (software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException lost) {
                            // another thread claimed this patient first
                        }
                    }
                    for (String local : localIds) {
                        putOnce(dynamo, prefix + "patient_ids", Map.of("uuid", s("u-" + (i % 1000)), "local_id", s(local)));
                    }
                    s3.putObject(b -> b.bucket("hl7lake").key("ceiling/" + id + ".json").contentType("application/json")
                            .tagging("data_src=raw/files/x"), RequestBody.fromBytes(document));
                    putOnce(dynamo, prefix + "claims", Map.of("claim_id", s("control#" + id), "sha256", s(id)));
                    putOnce(dynamo, prefix + "messages", Map.of("message_id", s(id), "sender_control", s("B|F|" + i),
                            "received_at", s("2026-11-23T10:15:30Z"), "patient_uuid", s("u-" + (i % 1000))));
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

    /** A conditional put on the item's key attribute, as the pipeline writes ({@code #k}: "uuid" is reserved). */
    private static void putOnce(DynamoDbClient dynamo, String table, Map<String, AttributeValue> item) {
        String key = item.containsKey("local_id") ? "local_id" : item.containsKey("claim_id") ? "claim_id" : "message_id";
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(#k)")
                    .expressionAttributeNames(Map.of("#k", key)));
        } catch (ConditionalCheckFailedException exists) {
            // as in the pipeline: the item was there
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
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
