package hl7lake.mllp;

import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.util.Terser;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.config.EngineSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The MLLP door's shared limits: the bytes of unfinished frames over all connections are capped (the
 * frame that would pass the cap is answered AR 207, the others and new senders are served), and a
 * connection limit full of idle connections admits a new sender by closing the one idle longest.
 */
class MllpCapsTest {

    private static final int MAX_CONNECTIONS = 4;
    private static final int MAX_BUFFERED = 4 << 20;
    private static final int EVICT_IDLE_SECONDS = 1;
    private static Engine engine;
    private static int port;
    private static int httpPort;
    private static HapiContext hapi;

    @BeforeAll
    static void start() throws Exception {
        EngineSettings settings = TestEngines.local(Map.of("hl7lake.inbox.enabled", "false",
                "hl7lake.mllp.max-connections", Integer.toString(MAX_CONNECTIONS),
                "hl7lake.mllp.max-message-bytes", Integer.toString(3 << 20),
                "hl7lake.mllp.max-buffered-bytes", Integer.toString(MAX_BUFFERED),
                "hl7lake.mllp.evict-idle-seconds", Integer.toString(EVICT_IDLE_SECONDS),
                "hl7lake.mllp.read-timeout-seconds", "20"));
        port = settings.number("hl7lake.mllp.port");
        httpPort = settings.number("hl7lake.http.port");
        engine = Engine.start(settings);
        hapi = TestEngines.hapiClient();
        TestEngines.awaitListening(port);
    }

    @AfterAll
    static void stop() throws Exception {
        hapi.close();
        engine.close();
    }

    private static Terser ack(String er7) throws Exception {
        return new Terser(hapi.getPipeParser().parse(er7));
    }

    @Test
    void unfinished_frames_beyond_the_buffer_cap_get_ar_207_and_the_rest_are_served() throws Exception {
        double shedBefore = metric(httpPort, "hl7lake_mllp_shed_total");
        int senders = MAX_CONNECTIONS - 1;
        List<MllpSocket> sockets = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        try {
            for (int i = 0; i < senders; i++) {
                // 2 MiB each, under the message limit; three of them are more than the 4 MiB cap
                String message = MllpDoorTest.adt("BIG-" + i, "MRN-BIG") + "NTE|1||" + "x".repeat(2 << 20) + "\r";
                byte[] frame = MllpSocket.frame(message);
                frames.add(frame);
                MllpSocket socket = new MllpSocket(port);
                sockets.add(socket);
                socket.write(Arrays.copyOf(frame, frame.length - 2)); // all but the end of the frame
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> metric(httpPort, "hl7lake_mllp_shed_total") > shedBefore);
            assertThat(metric(httpPort, "hl7lake_mllp_buffered_bytes")).isLessThanOrEqualTo(MAX_BUFFERED);
            int accepted = 0;
            int notProcessed = 0;
            for (int i = 0; i < senders; i++) {
                byte[] frame = frames.get(i);
                sockets.get(i).write(Arrays.copyOfRange(frame, frame.length - 2, frame.length));
                Terser ack = ack(sockets.get(i).read());
                assertThat(ack.get("/MSA-2")).isEqualTo("BIG-" + i);
                if ("AA".equals(ack.get("/MSA-1"))) {
                    accepted++;
                } else {
                    assertThat(ack.get("/MSA-1")).isEqualTo("AR");
                    assertThat(ack.get("/ERR-3-1")).isEqualTo("207");
                    assertThat(ack.get("/MSA-3")).contains("send the message again");
                    notProcessed++;
                }
                // the connection goes on
                assertThat(ack(sockets.get(i).read(MllpSocket.frame(MllpDoorTest.adt("AFTER-BIG-" + i, "MRN-BIG"))))
                        .get("/MSA-1")).isEqualTo("AA");
            }
            assertThat(accepted).isPositive();
            assertThat(notProcessed).isPositive();
            assertThat(accepted + notProcessed).isEqualTo(senders);
        } finally {
            for (MllpSocket socket : sockets) {
                socket.close();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> metric(httpPort, "hl7lake_mllp_buffered_bytes") == 0);
        try (MllpSocket fresh = new MllpSocket(port)) {
            assertThat(ack(fresh.read(MllpSocket.frame(MllpDoorTest.adt("AFTER-CAP", "MRN-BIG")))).get("/MSA-1")).isEqualTo("AA");
        }
    }

    @Test
    void a_limit_full_of_idle_connections_admits_a_new_sender_by_closing_the_idlest() throws Exception {
        double evictedBefore = metric(httpPort, "hl7lake_mllp_idle_evicted_total");
        await().atMost(Duration.ofSeconds(10)).until(() -> metric(httpPort, "hl7lake_mllp_connections") == 0);
        List<MllpSocket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                idle.add(new MllpSocket(port));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> metric(httpPort, "hl7lake_mllp_connections") == MAX_CONNECTIONS);
            long full = System.nanoTime();
            // at once, none has been idle long enough: the new sender is refused, as before
            try (MllpSocket early = new MllpSocket(port)) {
                early.write(MllpSocket.frame(MllpDoorTest.adt("EARLY-1", "MRN-E")));
                assertThat(early.closedByServer()).isTrue();
            }
            // within the eviction time (plus a margin), a new sender is served on a freed slot
            await().atMost(Duration.ofSeconds(EVICT_IDLE_SECONDS + 5)).pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions().until(() -> {
                        try (MllpSocket sender = new MllpSocket(port)) {
                            String reply = sender.read(MllpSocket.frame(MllpDoorTest.adt("NEWSENDER-1", "MRN-E")));
                            return reply != null && "AA".equals(ack(reply).get("/MSA-1"));
                        }
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - full)).isLessThan(Duration.ofSeconds(EVICT_IDLE_SECONDS + 5));
            assertThat(metric(httpPort, "hl7lake_mllp_idle_evicted_total") - evictedBefore).isGreaterThanOrEqualTo(1);
            // one idle connection made room; the others are still open (the new sender has gone)
            await().atMost(Duration.ofSeconds(10)).until(() -> metric(httpPort, "hl7lake_mllp_connections") == MAX_CONNECTIONS - 1);
        } finally {
            for (MllpSocket socket : idle) {
                socket.close();
            }
        }
    }

    /** A value of /observe/metrics (0 when absent). */
    static double metric(int httpPort, String name) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }
}
