package hl7lake.mllp;

import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.config.EngineSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The idle timeout counts MLLP traffic only: a connection trickling junk outside any frame is closed
 * when the timeout runs out, one sending a message now and then stays open past it.
 */
class MllpIdleTest {

    private static final int IDLE_SECONDS = 2;
    private static Engine engine;
    private static int port;
    private static int httpPort;

    @BeforeAll
    static void start() throws Exception {
        EngineSettings settings = TestEngines.local(Map.of("hl7lake.inbox.enabled", "false",
                "hl7lake.mllp.idle-timeout-seconds", Integer.toString(IDLE_SECONDS)));
        port = settings.number("hl7lake.mllp.port");
        httpPort = settings.number("hl7lake.http.port");
        engine = Engine.start(settings);
        TestEngines.awaitListening(port);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void a_trickle_of_junk_does_not_keep_a_connection_open() throws Exception {
        double before = MllpCapsTest.metric(httpPort, "hl7lake_mllp_idle_closed_total");
        long started = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            // one byte of junk every 200 ms, far more often than the idle timeout, until the engine closes it
            await().atMost(Duration.ofSeconds(IDLE_SECONDS + 8)).pollInterval(Duration.ofMillis(200)).until(() -> {
                try {
                    out.write('x');
                    out.flush();
                    return false;
                } catch (IOException closed) {
                    return true;
                }
            });
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(IDLE_SECONDS));
        assertThat(MllpCapsTest.metric(httpPort, "hl7lake_mllp_idle_closed_total") - before).isGreaterThanOrEqualTo(1);
    }

    @Test
    void messages_now_and_then_keep_a_connection_open_past_the_idle_timeout() throws Exception {
        AtomicInteger sent = new AtomicInteger();
        long started = System.nanoTime();
        try (MllpSocket socket = new MllpSocket(port)) {
            // a message every 700 ms for three idle timeouts: each one answered on the same connection
            await().atMost(Duration.ofSeconds(3 * IDLE_SECONDS + 10)).pollInterval(Duration.ofMillis(700)).until(() -> {
                String ack = socket.read(MllpSocket.frame(MllpDoorTest.adt("KEEP-" + sent.incrementAndGet(), "MRN-KEEP")));
                assertThat(ack).as("answer " + sent.get()).contains("MSA|AA|KEEP-" + sent.get());
                return System.nanoTime() - started > Duration.ofSeconds(3L * IDLE_SECONDS).toNanos();
            });
        }
        assertThat(sent.get()).isGreaterThanOrEqualTo(3 * IDLE_SECONDS);
    }
}
