package hl7lake.cli;

import hl7lake.Engine;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.local.FreePorts;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code bench mllp [--messages N] [--connections 1,8,32] [--warmup W]}: an MLLP load generator against
 * the engine on its in-memory embedded lake. Per connection count C: N messages over C connections,
 * one outstanding message per connection as real senders do: throughput, time-to-ACK p50/p95/p99
 * and the ACK codes; then the same at half that peak rate (paced sends), for the latency a sender
 * sees when the engine is not saturated; then the storage ceiling at concurrency C (the same S3 and
 * DynamoDB writes per message by a bare SDK loop, raw object included) and the ratio.
 */
final class MllpBench {

    private MllpBench() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        DoorBenchOptions options = DoorBenchOptions.parse(args);
        int messages = options.messages();
        int warmup = options.warmup();
        int[] connectionCounts = options.connections();
        int port = FreePorts.find();
        EngineSettings settings = EngineSettings.load(Map.of("hl7lake.mode", "local", "hl7lake.local.in-memory", "true",
                "hl7lake.local.s3-port", "0", "hl7lake.local.dynamodb-port", "0", "hl7lake.local.issuer-port", "0", "hl7lake.inbox.enabled", "false",
                "hl7lake.http.port", Integer.toString(FreePorts.find()), "hl7lake.mllp.port", Integer.toString(port),
                "hl7lake.mllp.host", "127.0.0.1"));
        out.printf(Locale.ROOT, "MLLP to the engine on its in-memory lake, %,d messages per run, %d cores, max heap %d MiB%n",
                messages, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        try (Engine engine = Engine.start(settings);
             S3Client s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1");
             DynamoDbClient dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1")) {
            if (warmup > 0) {
                Run warm = send(port, "WARM", warmup, 8, 0);
                out.printf(Locale.ROOT, "warm-up: %,d messages at %.0f msgs/s%n", warmup, warm.rate());
            }
            out.printf(Locale.ROOT, "%-22s %11s %8s %8s %8s  %-14s %12s %6s%n", "connections", "msgs/s", "p50 ms",
                    "p95 ms", "p99 ms", "ACK codes", "ceiling/s", "ratio");
            for (int c : connectionCounts) {
                Run peak = send(port, "PEAK" + c, messages, c, 0);
                double ceiling = EngineBench.ceiling(s3, dynamo, messages, c, true);
                out.printf(Locale.ROOT, "%-22s %11.0f %8.1f %8.1f %8.1f  %-14s %12.0f %6.2f%n", c + " (as fast as ACKed)",
                        peak.rate(), peak.percentile(50), peak.percentile(95), peak.percentile(99), peak.codes, ceiling,
                        peak.rate() / ceiling);
                Run half = send(port, "HALF" + c, messages / 2, c, peak.rate() / 2);
                out.printf(Locale.ROOT, "%-22s %11.0f %8.1f %8.1f %8.1f  %-14s%n", c + " (at half of that)",
                        half.rate(), half.percentile(50), half.percentile(95), half.percentile(99), half.codes);
            }
        }
        return 0;
    }

    /** Times to ACK and codes of one run. */
    record Run(double rate, long[] nanos, Map<String, Integer> codes) {

        double percentile(int p) {
            return nanos[Math.min(nanos.length - 1, (int) Math.ceil(p / 100.0 * nanos.length) - 1)] / 1e6;
        }
    }

    /**
     * {@code count} messages over {@code connections} connections, each waiting for its ACK before
     * the next; with {@code rate} > 0 the sends are paced to that many per second in all.
     */
    static Run send(int port, String tag, int count, int connections, double rate) throws Exception {
        long[] nanos = new long[count];
        AtomicInteger next = new AtomicInteger();
        Map<String, LongAdder> codes = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        long intervalNanos = rate > 0 ? (long) (1e9 * connections / rate) : 0;
        long start = System.nanoTime();
        List<Future<?>> senders = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            long offset = intervalNanos * c / connections;
            senders.add(pool.submit(() -> {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.setTcpNoDelay(true);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = socket.getInputStream();
                    long due = start + offset;
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        if (intervalNanos > 0) {
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                            due += intervalNanos;
                        }
                        byte[] message = EngineBench.message(tag, i).getBytes(StandardCharsets.US_ASCII);
                        long t0 = System.nanoTime();
                        out.write(frame(message));
                        out.flush();
                        String ack = readFrame(in);
                        nanos[i] = System.nanoTime() - t0;
                        int msa = ack.indexOf("\rMSA|");
                        codes.computeIfAbsent(msa < 0 ? "none" : ack.substring(msa + 5, msa + 7), k -> new LongAdder()).increment();
                    }
                }
                return null;
            }));
        }
        try {
            for (Future<?> sender : senders) {
                sender.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(nanos);
        Map<String, Integer> counted = new TreeMap<>();
        codes.forEach((code, n) -> counted.put(code, n.intValue()));
        return new Run(count / seconds, nanos, counted);
    }

    private static byte[] frame(byte[] message) {
        byte[] framed = new byte[message.length + 3];
        framed[0] = 0x0B;
        System.arraycopy(message, 0, framed, 1, message.length);
        framed[framed.length - 2] = 0x1C;
        framed[framed.length - 1] = 0x0D;
        return framed;
    }

    private static String readFrame(InputStream in) throws IOException {
        ByteArrayOutputStream ack = new ByteArrayOutputStream(256);
        int b;
        while ((b = in.read()) != 0x0B) {
            if (b < 0) {
                throw new IOException("the engine closed the connection");
            }
        }
        while ((b = in.read()) != 0x1C) {
            if (b < 0) {
                throw new IOException("the engine closed the connection inside an ACK");
            }
            ack.write(b);
        }
        in.read(); // the final CR
        return ack.toString(StandardCharsets.ISO_8859_1);
    }
}
