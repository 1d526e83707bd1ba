package hl7lake.mllp;

import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.util.Terser;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.config.EngineSettings;
import hl7lake.convert.Conversion;
import hl7lake.convert.Conversions;
import hl7lake.hl7.Bom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The MLLP door against generated frames (see {@link Mutations}), one engine on its embedded lake for
 * the whole property: each frame gets exactly the ACKs HL7 asks for (original mode one, enhanced mode
 * as MSH-15/16 ask), in order, each parsing with HAPI, MSA-2 = MSH-10 whenever MSH-10 can be read;
 * the connection stays usable (a well-formed message after it is answered AA, and nothing else
 * arrives in between); and no ERROR, no stack trace reaches the log.
 */
class MllpPropertyTest {

    private static Engine engine;
    private static int port;
    private static int httpPort;
    private static HapiContext hapi;
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static PrintStream stderr;

    @BeforeAll
    static void start() throws Exception {
        stderr = System.err;
        // slf4j-simple writes to whatever System.err is at the time: keep a copy of everything logged
        System.setErr(new PrintStream(new TeeStream(stderr, LOG), true, StandardCharsets.UTF_8));
        EngineSettings settings = TestEngines.local(Map.of("hl7lake.inbox.enabled", "false"));
        port = settings.number("hl7lake.mllp.port");
        httpPort = settings.number("hl7lake.http.port");
        engine = Engine.start(settings);
        hapi = TestEngines.hapiClient();
        TestEngines.awaitListening(port);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            hapi.close();
            engine.close();
        } finally {
            System.setErr(stderr);
        }
    }

    @Test
    void every_generated_frame_gets_exactly_the_acks_the_standard_asks_for_and_the_connection_goes_on() {
        AtomicInteger probes = new AtomicInteger();
        int logStart;
        synchronized (LOG) {
            logStart = LOG.size();
        }
        qt().withExamples(400).withFixedSeed(20261127L)
                .forAll(longs().all().map(Mutations::of))
                .checkAssert(generated -> {
                    try (MllpSocket socket = new MllpSocket(port)) {
                        Conversion conversion = Conversions.convert(generated.bytes());
                        List<String> expected = MllpDoorTest.expectedCodes(conversion);
                        String controlId = readableControlId(generated.bytes());
                        socket.write(MllpSocket.frame(generated.bytes()));
                        for (String code : expected) {
                            String reply = socket.read();
                            assertThat(reply).as(generated + ": an ACK").isNotNull();
                            Terser ack = new Terser(hapi.getGenericParser().parse(decode(reply, conversion.charset())));
                            assertThat(ack.get("/MSA-1")).as(generated.toString()).isEqualTo(code);
                            assertThat(ack.get("/MSH-9-1")).as(generated.toString()).isEqualTo("ACK");
                            if (controlId != null) {
                                assertThat(ack.get("/MSA-2")).as(generated + ": MSA-2 = MSH-10").isEqualTo(controlId);
                            }
                            if (!code.equals("AA") && !code.equals("CA")) {
                                assertThat(ack.get("/ERR-3-1")).as(generated + ": ERR-3").isNotBlank();
                            }
                        }
                        String probe = "PROP-PROBE-" + probes.incrementAndGet();
                        socket.write(MllpSocket.frame(MllpDoorTest.adt(probe, "MRN-PROP")));
                        Terser next = new Terser(hapi.getGenericParser().parse(socket.read()));
                        assertThat(next.get("/MSA-2")).as(generated + ": nothing more than " + expected + ", then the next message")
                                .isEqualTo(probe);
                        assertThat(next.get("/MSA-1")).isEqualTo("AA");
                    } catch (Exception e) {
                        throw new AssertionError(generated + ": " + e, e);
                    }
                });
        String log;
        synchronized (LOG) {
            log = LOG.toString(StandardCharsets.UTF_8).substring(logStart);
        }
        assertThat(log.lines().filter(line -> line.contains(" ERROR ") || line.startsWith("\tat ")
                || line.matches("^\\s+at [a-z].*"))).as("no ERROR and no stack trace in the log").isEmpty();
        assertThat(log).as("the log is in use").contains("mllp /127.0.0.1");
    }

    /**
     * The HTTP door on the same engine (issue 12, A1/A2): a message whose MSH-2 carries the truncation
     * character is stored and answered 200 with its ACK in its own delimiters, not 503; in enhanced
     * mode the JSON's {@code ack} is the application acknowledgement when MSH-16 asks for one.
     */
    @Test
    void the_http_door_answers_a_truncation_character_and_gives_the_application_ack_in_enhanced_mode() throws Exception {
        String token = engine.issuer().token("prop", Duration.ofMinutes(5), false);
        java.net.URI door = java.net.URI.create("http://127.0.0.1:" + httpPort + "/hl7v2/er7");
        String truncation = MllpDoorTest.adt("HTTP-TRUNC-1", "MRN-HTTP").replace("MSH|^~\\&|", "MSH|^~\\&#|");
        for (String[] c : new String[][] {{truncation, "MSA|AA|HTTP-TRUNC-1"},
                {MllpDoorTest.enhanced("HTTP-ENH-1", "ER", "AL", "accepted"), "MSA|AA|HTTP-ENH-1"},
                {MllpDoorTest.enhanced("HTTP-ENH-2", "AL", "NE", "accepted"), "MSA|CA|HTTP-ENH-2"},
                {MllpDoorTest.enhanced("HTTP-ENH-3", "AL", "AL", "content"), "MSA|AE|HTTP-ENH-3"}}) {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(door).header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/hl7-v2")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(c[0])).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isIn(200, 400);
            String ack = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).get("ack").asText();
            assertThat(ack).as(c[1]).contains(c[1]);
            if (c[0].equals(truncation)) {
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(ack).startsWith("MSH|^~\\&#|");
            }
        }
    }

    /** MSH-10 when the field separator alone can read it and it holds no delimiter or escape: else null. */
    private static String readableControlId(byte[] bytes) {
        String text = new String(Bom.strip(bytes), StandardCharsets.ISO_8859_1);
        if (text.length() < 5 || !text.startsWith("MSH") || Character.isLetterOrDigit(text.charAt(3))
                || Character.isWhitespace(text.charAt(3))) {
            return null;
        }
        int end = text.length();
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\r' || text.charAt(i) == '\n') {
                end = i;
                break;
            }
        }
        String[] fields = text.substring(0, end).split(java.util.regex.Pattern.quote(String.valueOf(text.charAt(3))), -1);
        if (fields.length < 10 || fields[9].isEmpty()) {
            return null;
        }
        String id = fields[9];
        for (char c : id.toCharArray()) {
            if (c < 0x20 || c > 0x7E || fields[1].indexOf(c) >= 0 || "^~\\&".indexOf(c) >= 0) {
                return null; // escaped or not ASCII: present, but compared only in its own terms
            }
        }
        return id;
    }

    private static String decode(String latin1, Charset charset) {
        return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), charset);
    }

    /** Writes to two streams: the console and the captured log. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream first;
        private final ByteArrayOutputStream second;

        TeeStream(java.io.OutputStream first, ByteArrayOutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            first.write(b);
            synchronized (second) {
                second.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            first.write(b, off, len);
            synchronized (second) {
                second.write(b, off, len);
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            first.flush();
        }
    }
}
