package hl7lake.cli;

import hl7lake.Engine;
import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.MessageIndex;
import hl7lake.catalog.MessageRecord;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.local.EmbeddedDynamoDb;
import hl7lake.local.FreePorts;
import hl7lake.local.s3.LocalS3Server;
import hl7lake.mllp.MllpFrameEncoder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.TreeMap;

/**
 * {@code bench frozen}: the engine in AWS mode on the embedded S3 server and DynamoDB Local, each
 * behind a {@link FreezingProxy}; MLLP senders send as interface engines do (one message
 * outstanding per connection, the same message again 0.5 s after an AR) while both stores are frozen
 * for a while. Reports the worst time to an answer, the answers during the freeze, whether any AA
 * was given for a message that is not in the catalog, and how long after thawing the first AA came.
 */
final class FrozenBench {

    private FrozenBench() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options options = Options.parse(args, "--connections", "--before", "--frozen", "--after", "--deadline");
        int connections = options.number("--connections", 8, 1);
        int before = options.number("--before", 20, 1);
        int frozen = options.number("--frozen", 60, 1);
        int after = options.number("--after", 30, 1);
        int deadline = options.number("--deadline", 10, 1);
        var dir = Files.createTempDirectory("hl7lake-frozen-");
        LocalS3Server s3Server = LocalS3Server.start(0, dir.resolve("s3"));
        s3Server.createBucket("hl7lake");
        EmbeddedDynamoDb dynamoServer = EmbeddedDynamoDb.start(0, null);
        CatalogTables tables = new CatalogTables("hl7lake-");
        int port = FreePorts.find();
        try (DynamoDbClient catalog = AwsClients.dynamo(dynamoServer.endpoint(), "us-east-1");
             FreezingProxy s3 = new FreezingProxy(s3Server.endpoint());
             FreezingProxy dynamo = new FreezingProxy(dynamoServer.endpoint())) {
            tables.createMissing(catalog);
            Map<String, String> settings = new HashMap<>(Map.of("hl7lake.mode", "aws", "hl7lake.inbox.enabled", "false",
                    "hl7lake.http.door.enabled", "false", "hl7lake.api.enabled", "false", "hl7lake.http.port", Integer.toString(FreePorts.find()),
                    "hl7lake.mllp.port", Integer.toString(port),
                    "hl7lake.aws.s3-endpoint", s3.endpoint().toString(),
                    "hl7lake.aws.dynamodb-endpoint", dynamo.endpoint().toString(),
                    "hl7lake.storage.deadline-seconds", Integer.toString(deadline)));
            try (Engine engine = Engine.start(EngineSettings.load(settings))) {
                long start = System.nanoTime();
                long freezeAt = start + Duration.ofSeconds(before).toNanos();
                long thawAt = freezeAt + Duration.ofSeconds(frozen).toNanos();
                long endAt = thawAt + Duration.ofSeconds(after).toNanos();
                Stats stats = new Stats(freezeAt, thawAt);
                List<Thread> senders = new ArrayList<>();
                for (int c = 0; c < connections; c++) {
                    String tag = "FRZ" + c;
                    Thread sender = new Thread(() -> send(port, tag, endAt, stats), "frozen-bench-" + c);
                    sender.start();
                    senders.add(sender);
                }
                sleepUntil(freezeAt);
                s3.freeze();
                dynamo.freeze();
                sleepUntil(thawAt);
                s3.thaw();
                dynamo.thaw();
                for (Thread sender : senders) {
                    sender.join();
                }
                MessageIndex index = new MessageIndex(catalog, tables);
                int missing = 0;
                int doubled = 0;
                for (String controlId : stats.acked.keySet()) {
                    int entries = index.bySenderControl(MessageRecord.senderControl("BENCH", "FAC", controlId)).size();
                    missing += entries == 0 ? 1 : 0;
                    doubled += entries > 1 ? 1 : 0;
                }
                out.printf(Locale.ROOT, "frozen store: S3 and DynamoDB frozen %d s under %d MLLP senders (resend 0.5 s after AR), "
                                + "deadline %d s, %d cores%n", frozen, connections, deadline, Runtime.getRuntime().availableProcessors());
                out.printf(Locale.ROOT, "answers: %s; no answer / connection lost: %d%n", stats.codes(), stats.lost.sum());
                out.printf(Locale.ROOT, "worst time to an answer: %.2f s overall, %.2f s for messages sent while frozen%n",
                        stats.worst.get() / 1e9, stats.worstFrozen.get() / 1e9);
                out.printf(Locale.ROOT, "AA received while frozen: %d; AA'd messages: %d, of which not in the catalog: %d, "
                        + "cataloged twice: %d%n", stats.aaWhileFrozen.sum(), stats.acked.size(), missing, doubled);
                long firstAa = stats.firstAaAfterThaw.get();
                out.printf(Locale.ROOT, "recovery: first AA %.2f s after thawing%n",
                        firstAa == Long.MAX_VALUE ? Double.NaN : (firstAa - thawAt) / 1e9);
                return missing == 0 && doubled == 0 ? 0 : 1;
            }
        } finally {
            dynamoServer.close();
            s3Server.close();
        }
    }

    /** One sender: each message until it gets AA (or the run ends), one outstanding at a time. */
    private static void send(int port, String tag, long endAt, Stats stats) {
        int i = 0;
        Socket socket = null;
        try {
            while (System.nanoTime() < endAt) {
                byte[] frame = MllpFrameEncoder.frame(EngineBench.message(tag, i).getBytes(StandardCharsets.US_ASCII));
                try {
                    if (socket == null) {
                        socket = new Socket("127.0.0.1", port);
                        socket.setSoTimeout(600_000);
                    }
                    long sent = System.nanoTime();
                    OutputStream out = socket.getOutputStream();
                    out.write(frame);
                    out.flush();
                    String ack = MllpBench.readFrame(socket.getInputStream());
                    long answered = System.nanoTime();
                    int msa = ack.indexOf("\rMSA|");
                    String code = msa < 0 ? "none" : ack.substring(msa + 5, msa + 7);
                    stats.answer(sent, answered, code, tag + "-" + i);
                    if (code.equals("AA")) {
                        i++;
                    } else {
                        Thread.sleep(500);
                    }
                } catch (IOException e) {
                    stats.lost.increment();
                    close(socket);
                    socket = null;
                    Thread.sleep(500);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close(socket);
        }
    }

    private static void close(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // done with it
            }
        }
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, left / 1_000_000));
        }
    }

    private static final class Stats {
        final long freezeAt;
        final long thawAt;
        final Map<String, LongAdder> codes = new ConcurrentHashMap<>();
        final Map<String, Boolean> acked = new ConcurrentHashMap<>();
        final AtomicLong worst = new AtomicLong();
        final AtomicLong worstFrozen = new AtomicLong();
        final AtomicLong firstAaAfterThaw = new AtomicLong(Long.MAX_VALUE);
        final LongAdder aaWhileFrozen = new LongAdder();
        final LongAdder lost = new LongAdder();

        Stats(long freezeAt, long thawAt) {
            this.freezeAt = freezeAt;
            this.thawAt = thawAt;
        }

        void answer(long sent, long answered, String code, String controlId) {
            long took = answered - sent;
            codes.computeIfAbsent(code, k -> new LongAdder()).increment();
            worst.accumulateAndGet(took, Math::max);
            if (sent >= freezeAt && sent < thawAt) {
                worstFrozen.accumulateAndGet(took, Math::max);
            }
            if (code.equals("AA")) {
                acked.put(controlId, true);
                if (answered >= freezeAt && answered < thawAt) {
                    aaWhileFrozen.increment();
                }
                if (answered >= thawAt) {
                    firstAaAfterThaw.accumulateAndGet(answered, Math::min);
                }
            }
        }

        String codes() {
            Map<String, Long> counted = new TreeMap<>();
            codes.forEach((code, n) -> counted.put(code, n.sum()));
            return counted.toString();
        }
    }
}
