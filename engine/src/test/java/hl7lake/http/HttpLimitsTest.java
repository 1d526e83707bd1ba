package hl7lake.http;

import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.config.EngineSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP server's limits (issue 12 D15), over real sockets: an idle connection and one trickling
 * its headers are closed by the server after the (short, test-set) timeouts; connections over the
 * cap are closed at once, and the server answers a new request as soon as one slot is free.
 */
class HttpLimitsTest {

    private static Engine timeouts;
    private static int timeoutsPort;
    private static Engine capped;
    private static int cappedPort;

    @BeforeAll
    static void start() throws Exception {
        EngineSettings short_ = TestEngines.local(Map.of("hl7lake.inbox.enabled", "false",
                "hl7lake.http.idle-timeout-seconds", "2", "hl7lake.http.request-header-timeout-seconds", "2"));
        timeoutsPort = short_.number("hl7lake.http.port");
        timeouts = Engine.start(short_);
        EngineSettings few = TestEngines.local(Map.of("hl7lake.inbox.enabled", "false", "hl7lake.http.max-connections", "3"));
        cappedPort = few.number("hl7lake.http.port");
        capped = Engine.start(few);
    }

    @AfterAll
    static void stop() {
        timeouts.close();
        capped.close();
    }

    /** True once the server has closed the socket (a read sees the end of the stream or a reset). */
    private static CompletableFuture<Boolean> closedByServer(Socket socket) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream in = socket.getInputStream()) {
                while (in.read() >= 0) {
                    // whatever the server sent before closing
                }
                return true;
            } catch (IOException e) {
                return true;
            }
        });
    }

    @Test
    void a_connection_that_sends_nothing_is_closed_after_the_timeout() throws Exception {
        try (Socket idle = new Socket("127.0.0.1", timeoutsPort)) {
            CompletableFuture<Boolean> closed = closedByServer(idle);
            await().atMost(Duration.ofSeconds(10)).until(closed::isDone);
        }
    }

    @Test
    void a_request_whose_body_stalls_is_closed_by_the_idle_timeout() throws Exception {
        try (Socket stalled = new Socket("127.0.0.1", timeoutsPort)) {
            OutputStream out = stalled.getOutputStream();
            out.write(("POST /hl7v2/er7 HTTP/1.1\r\nHost: x\r\nContent-Type: application/hl7-v2\r\nContent-Length: 1000\r\n\r\nMSH|")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            CompletableFuture<Boolean> closed = closedByServer(stalled);
            await().atMost(Duration.ofSeconds(10)).until(closed::isDone);
        }
    }

    @Test
    void headers_trickled_a_byte_at_a_time_do_not_hold_the_connection() throws Exception {
        byte[] headers = ("POST /hl7v2/er7 HTTP/1.1\r\nHost: x\r\n" + "X-Slow: " + "s".repeat(200) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (Socket slow = new Socket("127.0.0.1", timeoutsPort)) {
            slow.setTcpNoDelay(true);
            OutputStream out = slow.getOutputStream();
            CompletableFuture<Boolean> closed = closedByServer(slow);
            AtomicBoolean writeFailed = new AtomicBoolean();
            int[] next = {0};
            // a byte every 300 ms keeps the idle timer (2 s) from firing; the header timeout (2 s) closes it
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).until(() -> {
                if (closed.isDone()) {
                    return true;
                }
                try {
                    out.write(headers[next[0]++ % headers.length]);
                    out.flush();
                } catch (IOException e) {
                    writeFailed.set(true);
                }
                return writeFailed.get();
            });
            assertThat(next[0]).as("bytes sent before the server closed the connection").isLessThan(headers.length);
        }
    }

    @Test
    void a_connection_over_the_cap_is_closed_and_a_freed_slot_serves_a_new_request() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(new Socket("127.0.0.1", cappedPort));
            }
            try (Socket fourth = new Socket("127.0.0.1", cappedPort)) {
                CompletableFuture<Boolean> closed = closedByServer(fourth);
                await().atMost(Duration.ofSeconds(10)).until(closed::isDone);
            }
            held.remove(0).close();
            HttpClient client = HttpClient.newHttpClient(); // one keep-alive connection: the freed slot
            URI health = URI.create("http://127.0.0.1:" + cappedPort + "/observe/health");
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> assertThat(
                    client.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200));
            String metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cappedPort
                    + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).containsPattern("(?m)^hl7lake_http_connections_refused_total(\\{[^}]*\\})? [1-9]")
                    .containsPattern("(?m)^hl7lake_http_connections(\\{[^}]*\\})? 3");
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }
}
