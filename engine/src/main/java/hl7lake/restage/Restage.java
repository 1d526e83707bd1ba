package hl7lake.restage;

import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.MessageIndex;
import hl7lake.convert.MessageConverter;
import hl7lake.lake.LakeWriter;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Restage from raw: every accepted message of a day range (optionally of one structure) converted
 * again from its raw bytes into today's document shape and its staging object rewritten where it
 * differs ({@link Restager}). Streaming: the catalog is read page by page in parallel segments, and
 * at most {@code 2 × threads} messages are in flight, so memory does not grow with the lake. Progress
 * (counts and rate, no content) goes to {@code progress} every {@code every}; a message that no
 * longer converts or fails is named there by its id, with the reason, and left as it was.
 */
public final class Restage {

    private final S3Client s3;
    private final DynamoDbClient dynamo;
    private final CatalogTables tables;
    private final LakeWriter lake;
    private final MessageConverter converter;
    private final int threads;
    private final PrintStream progress;
    private final Duration every;

    public Restage(S3Client s3, DynamoDbClient dynamo, CatalogTables tables, LakeWriter lake, MessageConverter converter,
                   int threads, PrintStream progress, Duration every) {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1");
        }
        this.s3 = s3;
        this.dynamo = dynamo;
        this.tables = tables;
        this.lake = lake;
        this.converter = converter;
        this.threads = threads;
        this.progress = progress;
        this.every = every;
    }

    /** Restages {@code days}; {@code structure} null: every structure. */
    public RestageResult run(DayRange days, String structure) throws InterruptedException {
        Restager restager = new Restager(s3, lake, new MessageIndex(dynamo, tables), converter);
        CatalogScan scan = new CatalogScan(dynamo, tables, days, structure);
        Counts counts = new Counts(System.nanoTime());
        int segments = Math.max(1, Math.min(4, threads));
        int window = threads * 2;
        ExecutorService workers = Executors.newFixedThreadPool(threads, named("restage"));
        ExecutorService readers = Executors.newFixedThreadPool(segments, named("restage-scan"));
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(named("restage-progress"));
        Semaphore inFlight = new Semaphore(window);
        AtomicBoolean abort = new AtomicBoolean();
        ticker.scheduleAtFixedRate(() -> progress.println("restage: " + counts.line()), every.toMillis(), every.toMillis(),
                TimeUnit.MILLISECONDS);
        Throwable failure = null;
        try {
            List<Future<?>> reading = new ArrayList<>();
            for (int segment = 0; segment < segments; segment++) {
                int mine = segment;
                reading.add(readers.submit(() -> scan.scan(mine, segments, message -> {
                    if (abort.get()) {
                        throw new CancellationException("another segment failed");
                    }
                    inFlight.acquireUninterruptibly();
                    counts.read.incrementAndGet();
                    workers.execute(() -> {
                        try {
                            one(restager, message, counts);
                        } finally {
                            inFlight.release();
                        }
                    });
                })));
            }
            for (Future<?> segment : reading) {
                try {
                    segment.get();
                } catch (ExecutionException e) {
                    abort.set(true); // the others stop at their next message
                    if (failure == null && !(e.getCause() instanceof CancellationException)) {
                        failure = e.getCause();
                    }
                }
            }
            inFlight.acquire(window); // every message handed out is done
        } finally {
            ticker.shutdownNow();
            readers.shutdownNow();
            workers.shutdown();
        }
        if (failure != null) {
            throw new IllegalStateException("the catalog could not be read (" + failure.getClass().getSimpleName()
                    + "); what was restaged stays, run it again", failure);
        }
        return counts.now();
    }

    private void one(Restager restager, StagedMessage message, Counts counts) {
        try {
            Restager.Result result = restager.restage(message);
            if (result instanceof Restager.Unchanged) {
                counts.unchanged.incrementAndGet();
            } else if (result instanceof Restager.Rewritten rewritten) {
                counts.rewritten.incrementAndGet();
                if (rewritten.moved()) {
                    counts.moved.incrementAndGet();
                }
            } else if (result instanceof Restager.NoLongerConverts refused) {
                counts.noLongerConvert.incrementAndGet();
                progress.printf(Locale.ROOT, "restage: message %s no longer converts (%d at %s: %s); its staging object "
                        + "is left as it was%n", message.messageId(), refused.rejection().code().getCode(),
                        refused.rejection().location(), refused.rejection().reason());
            }
        } catch (RuntimeException e) {
            counts.failed.incrementAndGet();
            String why = e instanceof Restager.RestageException ? e.getMessage() : e.getClass().getSimpleName();
            progress.printf("restage: message %s not restaged: %s; left as it was%n", message.messageId(), why);
        }
    }

    private static java.util.concurrent.ThreadFactory named(String name) {
        AtomicLong n = new AtomicLong();
        return work -> {
            Thread thread = new Thread(work, name + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static final class Counts {
        final long started;
        final AtomicLong read = new AtomicLong();
        final AtomicLong rewritten = new AtomicLong();
        final AtomicLong moved = new AtomicLong();
        final AtomicLong unchanged = new AtomicLong();
        final AtomicLong noLongerConvert = new AtomicLong();
        final AtomicLong failed = new AtomicLong();

        Counts(long started) {
            this.started = started;
        }

        /** Progress so far: counts, and the rate of messages done. */
        String line() {
            long unchangedNow = unchanged.get();
            long rewrittenNow = rewritten.get();
            long done = unchangedNow + rewrittenNow + noLongerConvert.get() + failed.get();
            double seconds = (System.nanoTime() - started) / 1e9;
            return String.format(Locale.ROOT, "%,d read, %,d done (%,d rewritten, %,d moved, %,d already current, "
                    + "%,d no longer convert, %,d failed) in %.0f s, %.0f msgs/s", read.get(), done, rewrittenNow,
                    moved.get(), unchangedNow, noLongerConvert.get(), failed.get(), seconds, done / Math.max(seconds, 1e-9));
        }

        RestageResult now() {
            return new RestageResult(read.get(), rewritten.get(), moved.get(), unchanged.get(), noLongerConvert.get(),
                    failed.get(), (System.nanoTime() - started) / 1e9);
        }
    }
}
