package hl7lake.cli;

import hl7lake.Engine;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.local.FreePorts;
import hl7lake.mllp.MllpFrameEncoder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

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
                ClosedLoop.Run warm = send(port, "WARM", warmup, 8, 0);
                out.printf(Locale.ROOT, "warm-up: %,d messages at %.0f msgs/s%n", warmup, warm.rate());
            }
            out.printf(Locale.ROOT, "%-22s %11s %8s %8s %8s  %-14s %12s %6s%n", "connections", "msgs/s", "p50 ms",
                    "p95 ms", "p99 ms", "ACK codes", "ceiling/s", "ratio");
            for (int c : connectionCounts) {
                ClosedLoop.Run peak = send(port, "PEAK" + c, messages, c, 0);
                double ceiling = EngineBench.ceiling(s3, dynamo, messages, c, true);
                out.printf(Locale.ROOT, "%-22s %11.0f %8.1f %8.1f %8.1f  %-14s %12.0f %6.2f%n", c + " (as fast as ACKed)",
                        peak.rate(), peak.percentile(50), peak.percentile(95), peak.percentile(99), peak.codes(), ceiling,
                        peak.rate() / ceiling);
                ClosedLoop.Run half = send(port, "HALF" + c, messages / 2, c, peak.rate() / 2);
                out.printf(Locale.ROOT, "%-22s %11.0f %8.1f %8.1f %8.1f  %-14s%n", c + " (at half of that)",
                        half.rate(), half.percentile(50), half.percentile(95), half.percentile(99), half.codes());
            }
        }
        return 0;
    }

    /**
     * {@code count} messages over {@code connections} connections, each waiting for its ACK before
     * the next; with {@code rate} > 0 the sends are paced to that many per second in all.
     */
    static ClosedLoop.Run send(int port, String tag, int count, int connections, double rate) throws Exception {
        return send(port, i -> EngineBench.message(tag, i), count, connections, rate);
    }

    /** As above, message {@code i} being {@code messages.apply(i)}. */
    static ClosedLoop.Run send(int port, IntFunction<String> messages, int count, int connections, double rate) throws Exception {
        return ClosedLoop.run(count, connections, rate, () -> {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            return new ClosedLoop.Sender() {
                @Override
                public String send(int i) throws IOException {
                    out.write(MllpFrameEncoder.frame(messages.apply(i).getBytes(StandardCharsets.US_ASCII)));
                    out.flush();
                    String ack = readFrame(in);
                    int msa = ack.indexOf("\rMSA|");
                    return msa < 0 ? "none" : ack.substring(msa + 5, msa + 7);
                }

                @Override
                public void close() throws IOException {
                    socket.close();
                }
            };
        });
    }

    /** The next MLLP frame's content from {@code in} (bytes before its start block skipped). */
    static String readFrame(InputStream in) throws IOException {
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
