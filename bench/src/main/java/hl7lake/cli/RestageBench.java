package hl7lake.cli;

import hl7lake.Engine;
import hl7lake.catalog.CatalogTables;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.convert.MessageConverter;
import hl7lake.hl7.Hl7Parser;
import hl7lake.hl7.ValidationProfile;
import hl7lake.lake.LakeWriter;
import hl7lake.local.FreePorts;
import hl7lake.restage.DayRange;
import hl7lake.restage.Restage;
import hl7lake.restage.RestageResult;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code bench restage [--messages N] [--warmup W] [--parallelism C] [--threads T]}: the engine on its
 * in-memory lake ingests a warm-up drop file and then one of N messages (timed: the engine's ingest
 * rate in this run); every staging object is then put back in the old shape ({@link OldShape}), and
 * the whole day is restaged (timed: messages per second, and the ratio to the ingest rate), then
 * restaged again (nothing to change: the cost of a run that finds the lake current).
 */
final class RestageBench {

    private RestageBench() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options options = Options.parse(args, "--messages", "--warmup", "--parallelism", "--threads");
        int messages = options.number("--messages", 100_000, 1);
        int warmup = options.number("--warmup", 20_000, 0);
        int parallelism = options.number("--parallelism", 8, 1);
        int threads = options.number("--threads", 8, 1);
        Path file = Files.createTempFile("hl7lake-bench", ".hl7");
        EngineBench.generate(file, messages, "BENCH");
        Path warmupFile = Files.createTempFile("hl7lake-warmup", ".hl7");
        EngineBench.generate(warmupFile, warmup, "WARMUP");
        out.printf(Locale.ROOT, "restage on the engine's in-memory lake: %,d messages (drop file, parallelism %d) after a warm-up of "
                + "%,d, restaged with %d threads; %d cores, load average %.2f at start, max heap %d MiB%n", messages, parallelism,
                warmup, threads, Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.getRuntime().maxMemory() >> 20);
        EngineSettings settings = EngineSettings.load(Map.of("hl7lake.mode", "local", "hl7lake.local.in-memory", "true",
                "hl7lake.local.s3-port", "0", "hl7lake.local.dynamodb-port", "0", "hl7lake.local.issuer-port", "0",
                "hl7lake.http.port", Integer.toString(FreePorts.find()), "hl7lake.mllp.enabled", "false",
                "hl7lake.inbox.poll-millis", "100", "hl7lake.inbox.parallelism", Integer.toString(parallelism)));
        LocalDate first = LocalDate.now(ZoneOffset.UTC);
        try (Engine engine = Engine.start(settings);
             S3Client s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1");
             DynamoDbClient dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1")) {
            if (warmup > 0) {
                out.printf(Locale.ROOT, "warm-up: %,d other messages ingested in %.1f s%n", warmup,
                        EngineBench.drop(s3, warmupFile, "warmup.hl7"));
            }
            double seconds = EngineBench.drop(s3, file, "bench.hl7");
            double ingestRate = messages / seconds;
            out.printf(Locale.ROOT, "ingest:  %,d messages in %.1f s = %.0f msgs/s (the engine, drop file)%n", messages, seconds,
                    ingestRate);

            CatalogTables tables = new CatalogTables(settings.get("hl7lake.catalog.table-prefix"));
            LakeWriter lake = new LakeWriter(s3, settings.get("hl7lake.lake.bucket"));
            double aging = age(s3, dynamo, tables, lake, 16);
            out.printf(Locale.ROOT, "aged:    %,d staging objects put back in the old shape in %.1f s (not timed)%n",
                    messages + warmup, aging);

            DayRange days = new DayRange(first, LocalDate.now(ZoneOffset.UTC));
            MessageConverter converter = new MessageConverter(new Hl7Parser(), ValidationProfile.STANDARD,
                    Charset.forName(settings.get("hl7lake.validation.charset-fallback")));
            Restage restage = new Restage(s3, dynamo, tables, lake, converter, threads, System.err, Duration.ofSeconds(10));
            RestageResult changed = restage.run(days, null);
            out.printf(Locale.ROOT, "restage: %s%n", changed);
            out.printf(Locale.ROOT, "ratio restage / ingest: %.2f%n", changed.rate() / ingestRate);
            RestageResult again = restage.run(days, null);
            out.printf(Locale.ROOT, "again:   %s%n", again);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(warmupFile);
        }
        return 0;
    }

    /** Every cataloged message's staging object rewritten in the old shape, in place; seconds taken. */
    private static double age(S3Client s3, DynamoDbClient dynamo, CatalogTables tables, LakeWriter lake, int threads)
            throws Exception {
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Semaphore window = new Semaphore(threads * 4);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        try {
            dynamo.scanPaginator(b -> b.tableName(tables.messages()).projectionExpression("staging_key, raw_key")).items()
                    .forEach(item -> {
                        window.acquireUninterruptibly();
                        pool.execute(() -> {
                            try {
                                String key = item.get("staging_key").s();
                                byte[] today = s3.getObjectAsBytes(b -> b.bucket(lake.bucket()).key(key)).asByteArray();
                                lake.staging(key, OldShape.document(today), item.get("raw_key").s());
                            } catch (RuntimeException e) {
                                failure.compareAndSet(null, e);
                            } finally {
                                window.release();
                            }
                        });
                    });
            window.acquire(threads * 4);
        } finally {
            pool.shutdownNow();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
