package hl7lake.cli;

import hl7lake.Engine;
import hl7lake.config.EngineSettings;
import hl7lake.local.FreePorts;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench http [--messages N] [--connections 1,8,32] [--warmup W]}: N POSTs of raw ER7 with a
 * bearer token from the local issuer over C keep-alive HTTP/1.1 connections, one request outstanding
 * per connection, against the engine on its in-memory lake: throughput, p50/p95/p99 and the statuses.
 */
final class HttpBench {

    private HttpBench() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        DoorBenchOptions options = DoorBenchOptions.parse(args);
        int messages = options.messages();
        int warmup = options.warmup();
        int[] connectionCounts = options.connections();
        int port = FreePorts.find();
        EngineSettings settings = EngineSettings.load(Map.of("hl7lake.mode", "local", "hl7lake.local.in-memory", "true",
                "hl7lake.local.s3-port", "0", "hl7lake.local.dynamodb-port", "0", "hl7lake.local.issuer-port", "0",
                "hl7lake.inbox.enabled", "false", "hl7lake.mllp.enabled", "false", "hl7lake.http.port", Integer.toString(port)));
        out.printf(Locale.ROOT, "HTTP POST /hl7v2/er7 to the engine on its in-memory lake, %,d messages per run, %d cores, "
                + "max heap %d MiB%n", messages, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        try (Engine engine = Engine.start(settings)) {
            URI door = URI.create("http://127.0.0.1:" + port + "/hl7v2/er7");
            String token = "Bearer " + engine.issuer().token("bench", Duration.ofHours(2), false);
            if (warmup > 0) {
                double rate = send(door, token, "WARM", warmup, 8).rate();
                out.printf(Locale.ROOT, "warm-up: %,d messages at %.0f msgs/s%n", warmup, rate);
            }
            out.printf(Locale.ROOT, "%-12s %11s %8s %8s %8s  %s%n", "connections", "msgs/s", "p50 ms", "p95 ms", "p99 ms",
                    "statuses");
            for (int c : connectionCounts) {
                ClosedLoop.Run run = send(door, token, "HTTP" + c, messages, c);
                out.printf(Locale.ROOT, "%-12d %11.0f %8.1f %8.1f %8.1f  %s%n", c, run.rate(), run.percentile(50),
                        run.percentile(95), run.percentile(99), run.codes());
            }
        }
        return 0;
    }

    private static ClosedLoop.Run send(URI door, String token, String tag, int count, int connections) throws Exception {
        return ClosedLoop.run(count, connections, 0, () -> {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            return new ClosedLoop.Sender() {
                @Override
                public String send(int i) throws Exception {
                    return Integer.toString(client.send(HttpRequest.newBuilder(door).header("Authorization", token)
                            .header("Content-Type", "application/hl7-v2")
                            .POST(HttpRequest.BodyPublishers.ofString(EngineBench.message(tag, i))).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode());
                }

                @Override
                public void close() {
                    // the client's connections close with it when it is collected (JDK 17 has no close)
                }
            };
        });
    }
}
