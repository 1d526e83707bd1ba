package hl7lake.mllp;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.Connection;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.util.Terser;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.TestFiles;
import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.MessageIndex;
import hl7lake.catalog.MessageRecord;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.convert.Conversion;
import hl7lake.convert.Conversions;
import hl7lake.hl7.Bom;
import hl7lake.hl7.MshHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The MLLP door against a running engine on its embedded lake, over real sockets: what each kind of
 * input gets back, in which order, and what it leaves in the lake and the catalog. The engine runs
 * with small limits so that they can be reached: 64 KiB messages, a 2 s read timeout, 60 connections.
 */
public class MllpDoorTest {

    private static final int MAX_BYTES = 65_536;
    private static final int MAX_CONNECTIONS = 60;

    private static Engine engine;
    private static int port;
    private static int httpPort;
    private static DynamoDbClient dynamo;
    private static MessageIndex index;
    private static HapiContext hapi;

    @BeforeAll
    static void start() throws Exception {
        EngineSettings settings = TestEngines.local(Map.of("hl7lake.inbox.enabled", "false",
                "hl7lake.mllp.max-message-bytes", Integer.toString(MAX_BYTES), "hl7lake.mllp.read-timeout-seconds", "2",
                "hl7lake.mllp.max-connections", Integer.toString(MAX_CONNECTIONS)));
        port = settings.number("hl7lake.mllp.port");
        httpPort = settings.number("hl7lake.http.port");
        engine = Engine.start(settings);
        dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1");
        index = new MessageIndex(dynamo, new CatalogTables("hl7lake-"));
        hapi = TestEngines.hapiClient();
        TestEngines.awaitListening(port);
    }

    @AfterAll
    static void stop() throws Exception {
        hapi.close();
        dynamo.close();
        engine.close();
    }

    public static String adt(String controlId, String mrn) {
        return "MSH|^~\\&|MLLPTEST|FAC|HL7LAKE|LAKE|20261123101500||ADT^A08^ADT_A01|" + controlId + "|P|2.5\r"
                + "EVN|A08|20261123101500\rPID|1||" + mrn + "^^^FAC^MR||TESTPATIENT^MLLP||19800101|F\rPV1|1|O\r";
    }

    private static int cataloged(String controlId) {
        return index.bySenderControl(MessageRecord.senderControl("MLLPTEST", "FAC", controlId)).size();
    }

    private static Terser ack(String er7) throws Exception {
        return new Terser(hapi.getPipeParser().parse(er7));
    }

    /**
     * The codes of the ACKs the standard asks for, in order (HL7 v2.5 chapter 2): original mode one,
     * AA/AE/AR; enhanced mode an accept ACK as MSH-15 asks (CA committed, CR a type/event/processing
     * id/version not taken, CE not stored), then for a committed message the application ACK as MSH-16
     * asks (AA, AE). An empty MSH-15 or MSH-16 in enhanced mode counts as AL.
     */
    public static List<String> expectedCodes(Conversion conversion) {
        boolean accepted = conversion instanceof Conversion.Accepted;
        int error = accepted ? 0 : ((Conversion.Rejected) conversion).rejection().code().getCode();
        return expectedCodes(conversion.header(), accepted, error);
    }

    /** As above for an outcome: accepted, else the HL7 table 0357 code of the rejection (207: not stored). */
    public static List<String> expectedCodes(MshHeader header, boolean accepted, int error) {
        String original = accepted ? "AA" : (error >= 200 ? "AR" : "AE");
        if (!header.enhancedMode()) {
            return List.of(original);
        }
        String commit = accepted || error < 200 ? "CA" : (error == 207 ? "CE" : "CR");
        List<String> codes = new ArrayList<>();
        if (asked(header.acceptAckType(), commit.equals("CA"))) {
            codes.add(commit);
        }
        if (commit.equals("CA") && asked(header.applicationAckType(), accepted)) {
            codes.add(original);
        }
        return codes;
    }

    /** HL7 table 0155; empty as AL. */
    private static boolean asked(String condition, boolean success) {
        return switch (condition) {
            case "NE" -> false;
            case "ER" -> !success;
            case "SU" -> success;
            default -> true;
        };
    }

    @Test
    void every_sample_message_sent_as_is_gets_its_ack_with_our_header_and_the_catalog_has_the_accepted() throws Exception {
        List<Path> files = new ArrayList<>(TestFiles.acceptedSamples());
        files.addAll(TestFiles.invalidSamples());
        if (TestFiles.seedPresent()) {
            files.addAll(TestFiles.seedFiles());
        }
        int probes = 0;
        try (MllpSocket socket = new MllpSocket(port)) { // one connection throughout: a rejection does not end it
            for (Path file : files) {
                List<byte[]> messages = Conversions.messages(TestFiles.read(file));
                for (int i = 0; i < messages.size(); i++) {
                    String name = file.getFileName() + "[" + i + "]";
                    Conversion conversion = Conversions.convert(messages.get(i));
                    MshHeader inbound = conversion.header();
                    socket.write(MllpSocket.frame(messages.get(i)));
                    List<String> expected = expectedCodes(conversion);
                    if (expected.isEmpty()) { // no ACK: the next one on the connection answers the next message
                        String probe = "PROBE-" + probes++;
                        socket.write(MllpSocket.frame(adt(probe, "MRN-PROBE")));
                        assertThat(ack(socket.read()).get("/MSA-2")).as(name + " gets no ACK (MSH-15/16)").isEqualTo(probe);
                        continue;
                    }
                    String reply = null;
                    Terser ack = null;
                    for (String code : expected) {
                        reply = socket.read();
                        ack = ack(reply);
                        assertThat(ack.get("/MSA-1")).as(name).isEqualTo(code);
                        assertThat(ack.get("/MSA-2")).as(name).isEqualTo(emptyToNull(inbound.controlId()));
                        assertThat(ack.get("/MSH-10")).as(name).isNotBlank().isNotEqualTo(inbound.controlId());
                        assertThat(ack.get("/MSH-9-1")).isEqualTo("ACK");
                        assertThat(ack.get("/MSH-3")).as(name).isEqualTo(emptyToNull(first(inbound.receivingApplication())));
                        assertThat(ack.get("/MSH-5")).as(name).isEqualTo(emptyToNull(first(inbound.sendingApplication())));
                    }
                    if (conversion instanceof Conversion.Rejected rejected && !expected.get(expected.size() - 1).matches("AA|CA")) {
                        assertThat(ack.get("/ERR-3-1")).as(name).isEqualTo(Integer.toString(rejected.rejection().code().getCode()));
                        assertThat(ack.get("/ERR-4")).as(name).isEqualTo("E");
                        assertThat(reply).contains("\rERR");
                        if (file.getParent().endsWith("invalid")) {
                            assertThat(ack.get("/ERR-3-1")).as(name).isEqualTo(file.getFileName().toString().substring(0, 3));
                        }
                    } else if (conversion instanceof Conversion.Accepted) {
                        assertThat(reply).doesNotContain("\rERR");
                        var m = ((Conversion.Accepted) conversion).metadata();
                        assertThat(index.bySenderControl(MessageRecord.senderControl(m.sendingApplication(),
                                m.sendingFacility(), m.controlId()))).as(name + " in the catalog").isNotEmpty();
                    }
                }
            }
        }
    }

    @Test
    void hapis_own_client_gets_aa_for_each_parseable_sample() throws Exception {
        Connection connection = hapi.newClient("127.0.0.1", port, false);
        try {
            connection.getInitiator().setTimeout(30, TimeUnit.SECONDS);
            int sent = 0;
            for (Path file : TestFiles.acceptedSamples()) {
                for (byte[] bytes : Conversions.messages(TestFiles.read(file))) {
                    Conversion conversion = Conversions.convert(bytes);
                    List<String> expected = expectedCodes(conversion);
                    if (!(conversion instanceof Conversion.Accepted) || expected.isEmpty()
                            || conversion.header().encodingCharacters().length() != 4) {
                        continue; // no ACK asked for (HAPI's initiator would wait), or an MSH-2 HAPI cannot encode
                    }
                    Message message = hapi.getPipeParser().parse(new String(Bom.strip(bytes), conversion.charset()));
                    Message response = connection.getInitiator().sendAndReceive(message);
                    Terser ack = new Terser(response);
                    // of two answers (accept, then application ACK) HAPI's initiator returns one, the other it logs and drops
                    assertThat(ack.get("/MSA-1")).as(file.toString()).isIn(expected);
                    assertThat(ack.get("/MSA-2")).isEqualTo(conversion.header().controlId());
                    sent++;
                }
            }
            assertThat(sent).isGreaterThan(5);
        } finally {
            connection.close();
        }
    }

    private static final List<String> ACK_CONDITIONS = List.of("", "AL", "NE", "ER", "SU");

    /** A message with MSH-15/16 set; {@code kind}: accepted, content (AE 100, a bad segment id) or version (AR 203). */
    static String enhanced(String controlId, String msh15, String msh16, String kind) {
        String version = kind.equals("version") ? "9.9" : "2.5";
        return "MSH|^~\\&|MLLPTEST|FAC|HL7LAKE|LAKE|20261123101500||ADT^A08^ADT_A01|" + controlId + "|P|" + version
                + "|||" + msh15 + "|" + msh16 + "\rEVN|A08|20261123101500\rPID|1||MRN-ENH^^^FAC^MR||TESTPATIENT^ENH\r"
                + (kind.equals("content") ? "pv1|1|O\r" : "PV1|1|O\r");
    }

    @Test
    void every_msh15_and_msh16_pair_gets_exactly_the_acks_the_standard_asks_for_in_order() throws Exception {
        int n = 0;
        try (MllpSocket socket = new MllpSocket(port)) { // one connection: a missing or extra ACK would shift every later one
            for (String kind : List.of("accepted", "content", "version")) {
                for (String msh15 : ACK_CONDITIONS) {
                    for (String msh16 : ACK_CONDITIONS) {
                        String control = "ENH-" + n++;
                        String message = enhanced(control, msh15, msh16, kind);
                        Conversion conversion = Conversions.convert(message.getBytes(StandardCharsets.ISO_8859_1));
                        assertThat(conversion instanceof Conversion.Accepted).isEqualTo(kind.equals("accepted"));
                        List<String> expected = expectedCodes(conversion);
                        String what = kind + " MSH-15 '" + msh15 + "' MSH-16 '" + msh16 + "'";
                        socket.write(MllpSocket.frame(message));
                        for (String code : expected) {
                            Terser ack = ack(socket.read());
                            assertThat(ack.get("/MSA-1")).as(what).isEqualTo(code);
                            assertThat(ack.get("/MSA-2")).as(what).isEqualTo(control);
                            if (!msh15.isEmpty() || !msh16.isEmpty()) {
                                assertThat(ack.get("/MSH-15")).as(what).isEqualTo("NE");
                            }
                        }
                        String probe = "ENH-PROBE-" + n;
                        socket.write(MllpSocket.frame(adt(probe, "MRN-PROBE")));
                        assertThat(ack(socket.read()).get("/MSA-2")).as(what + ": nothing more was sent").isEqualTo(probe);
                    }
                }
            }
        }
        assertThat(expectedCodes(Conversions.convert(enhanced("X", "ER", "AL", "accepted").getBytes(StandardCharsets.ISO_8859_1))))
                .containsExactly("AA");
        assertThat(expectedCodes(Conversions.convert(enhanced("X", "AL", "AL", "accepted").getBytes(StandardCharsets.ISO_8859_1))))
                .containsExactly("CA", "AA");
    }

    @Test
    void hapis_own_client_gets_an_ack_the_standard_asks_for_in_enhanced_mode() throws Exception {
        Connection connection = hapi.newClient("127.0.0.1", port, false);
        try {
            connection.getInitiator().setTimeout(20, TimeUnit.SECONDS);
            int n = 0;
            for (String pair : List.of("ER/AL", "AL/AL", "AL/NE", "NE/AL", "SU/SU", "AL/ER", "SU/AL", "/AL", "AL/")) {
                String[] modes = pair.split("/", -1);
                String control = "HAPI-ENH-" + n++;
                Message message = hapi.getPipeParser().parse(enhanced(control, modes[0], modes[1], "accepted"));
                Terser ack = new Terser(connection.getInitiator().sendAndReceive(message));
                List<String> expected = expectedCodes(Conversions.convert(message.encode().getBytes(StandardCharsets.ISO_8859_1)));
                // of two answers (CA, then AA) HAPI's initiator returns the one it reads while it waits, and drops the other
                assertThat(ack.get("/MSA-1")).as(pair).isIn(expected);
                assertThat(ack.get("/MSA-2")).as(pair).isEqualTo(control);
                assertThat(cataloged(control)).as(pair).isEqualTo(1);
            }
            // the CDC immunization setting, from our own sample: no commit ACK, the application ACK
            byte[] vxu = TestFiles.read(Path.of("samples", "vxu-v04-v2.5.1.hl7"));
            Message message = hapi.getPipeParser().parse(new String(vxu, StandardCharsets.UTF_8).replace('\n', '\r'));
            assertThat(new Terser(connection.getInitiator().sendAndReceive(message)).get("/MSA-1")).isEqualTo("AA");
        } finally {
            connection.close();
        }
    }

    @Test
    void a_site_specific_message_type_is_stored_cataloged_and_counted_by_type() throws Exception {
        double before = metric("hl7lake_messages_site_specific_total");
        String zdt = "MSH|^~\\&|MLLPTEST|FAC|HL7LAKE|LAKE|20261123101500||ZDT^Z01|ZDT-MLLP-1|P|2.5\r"
                + "PID|1||MRN-ZDT^^^FAC^MR||TESTPATIENT^ZDT\rZDT|1|DIALYSIS^Dialysis^LOCAL|240^min\r";
        try (MllpSocket socket = new MllpSocket(port)) {
            Terser ack = ack(socket.read(MllpSocket.frame(zdt)));
            assertThat(ack.get("/MSA-1")).isEqualTo("AA");
            assertThat(ack.get("/MSH-9-2")).isEqualTo("Z01");
        }
        List<Map<String, AttributeValue>> records = index.bySenderControl(MessageRecord.senderControl("MLLPTEST", "FAC", "ZDT-MLLP-1"));
        assertThat(records).hasSize(1);
        assertThat(records.get(0).get("staging_key").s()).startsWith("staging/hl7v2/ZDT_Z01/");
        assertThat(metric("hl7lake_messages_site_specific_total") - before).isEqualTo(1);
        assertThat(metricLine("hl7lake_messages_site_specific_total")).contains("message_type=\"ZDT\"");
    }

    @Test
    void five_frames_in_one_write_get_five_acks_in_order_and_five_messages_in_the_lake() throws Exception {
        ByteArrayOutputStream five = new ByteArrayOutputStream();
        for (int i = 0; i < 5; i++) {
            five.write(MllpSocket.frame(adt("PIPE-" + i, "MRN-PIPE-" + i)));
        }
        try (MllpSocket socket = new MllpSocket(port)) {
            socket.write(five.toByteArray());
            for (int i = 0; i < 5; i++) {
                Terser ack = ack(socket.read());
                assertThat(ack.get("/MSA-2")).isEqualTo("PIPE-" + i);
                assertThat(ack.get("/MSA-1")).isEqualTo("AA");
            }
        }
        for (int i = 0; i < 5; i++) {
            assertThat(cataloged("PIPE-" + i)).isEqualTo(1);
        }
    }

    @Test
    void junk_before_a_frame_is_skipped_and_counted_a_missing_final_cr_and_a_dribbled_frame_are_read() throws Exception {
        double junkBefore = metric("hl7lake_mllp_junk_bytes_total");
        try (MllpSocket socket = new MllpSocket(port)) {
            byte[] junk = "\r\nnoise\u0000 before the frame".getBytes(StandardCharsets.ISO_8859_1);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.write(junk);
            bytes.write(MllpSocket.frame(adt("JUNK-1", "MRN-JUNK")));
            socket.write(bytes.toByteArray());
            assertThat(ack(socket.read()).get("/MSA-1")).isEqualTo("AA");

            byte[] noCr = MllpSocket.frame(adt("NOCR-1", "MRN-JUNK"));
            socket.write(java.util.Arrays.copyOf(noCr, noCr.length - 1));
            assertThat(ack(socket.read()).get("/MSA-2")).isEqualTo("NOCR-1");
            socket.write(MllpSocket.frame(adt("NOCR-2", "MRN-JUNK"))); // the next frame right after it
            assertThat(ack(socket.read()).get("/MSA-2")).isEqualTo("NOCR-2");

            socket.dribble(MllpSocket.frame(adt("DRIBBLE-1", "MRN-JUNK")));
            assertThat(ack(socket.read()).get("/MSA-2")).isEqualTo("DRIBBLE-1");
            assertThat(metric("hl7lake_mllp_junk_bytes_total") - junkBefore).isEqualTo(junk.length);
        }
        for (String control : List.of("JUNK-1", "NOCR-1", "NOCR-2", "DRIBBLE-1")) {
            assertThat(cataloged(control)).as(control).isEqualTo(1);
        }
    }

    @Test
    void a_sender_that_shuts_down_its_side_after_its_frames_still_gets_every_ack() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            ByteArrayOutputStream two = new ByteArrayOutputStream();
            two.write(MllpSocket.frame(adt("HALF-1", "MRN-HALF")));
            two.write(MllpSocket.frame(adt("HALF-2", "MRN-HALF")));
            MllpSocket mllp = new MllpSocket(socket);
            mllp.write(two.toByteArray());
            socket.shutdownOutput(); // as netcat does at the end of its input
            assertThat(ack(mllp.read()).get("/MSA-2")).isEqualTo("HALF-1");
            assertThat(ack(mllp.read()).get("/MSA-2")).isEqualTo("HALF-2");
            assertThat(mllp.closedByServer()).isTrue();
        }
        assertThat(cataloged("HALF-1") + cataloged("HALF-2")).isEqualTo(2);
    }

    @Test
    void fifty_connections_of_twenty_messages_each_get_a_thousand_acks_and_a_thousand_entries() throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(50);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int c = 0; c < 50; c++) {
                int connection = c;
                results.add(senders.submit(() -> {
                    List<String> codes = new ArrayList<>();
                    try (MllpSocket socket = new MllpSocket(port)) {
                        for (int m = 0; m < 20; m++) {
                            String control = "LOAD-" + connection + "-" + m;
                            socket.write(MllpSocket.frame(adt(control, "MRN-LOAD-" + connection)));
                            Terser ack = ack(socket.read());
                            assertThat(ack.get("/MSA-2")).isEqualTo(control);
                            codes.add(ack.get("/MSA-1"));
                        }
                    }
                    return codes;
                }));
            }
            int acks = 0;
            for (Future<List<String>> result : results) {
                List<String> codes = result.get(120, TimeUnit.SECONDS);
                assertThat(codes).containsOnly("AA");
                acks += codes.size();
            }
            assertThat(acks).isEqualTo(1000);
        } finally {
            senders.shutdownNow();
        }
        for (int c = 0; c < 50; c++) {
            for (int m = 0; m < 20; m++) {
                assertThat(cataloged("LOAD-" + c + "-" + m)).isEqualTo(1);
            }
        }
    }

    @Test
    void twenty_concurrent_messages_for_one_new_patient_end_with_one_uuid() throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(20);
        CyclicBarrier together = new CyclicBarrier(20);
        try {
            List<Future<String>> codes = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String control = "SAMEPATIENT-" + i;
                codes.add(senders.submit(() -> {
                    try (MllpSocket socket = new MllpSocket(port)) {
                        together.await(30, TimeUnit.SECONDS);
                        socket.write(MllpSocket.frame(adt(control, "MRN-NEW-ONE")));
                        return ack(socket.read()).get("/MSA-1");
                    }
                }));
            }
            for (Future<String> code : codes) {
                assertThat(code.get(60, TimeUnit.SECONDS)).isEqualTo("AA");
            }
        } finally {
            senders.shutdownNow();
        }
        Set<String> uuids = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            List<Map<String, AttributeValue>> records = index.bySenderControl(
                    MessageRecord.senderControl("MLLPTEST", "FAC", "SAMEPATIENT-" + i));
            assertThat(records).hasSize(1);
            uuids.add(records.get(0).get("patient_uuid").s());
        }
        assertThat(uuids).hasSize(1);
    }

    @Test
    void storage_down_gets_ar_and_nothing_cataloged_then_the_resend_gets_aa_once() throws Exception {
        String message = adt("DOWN-1", "MRN-DOWN");
        try (MllpSocket socket = new MllpSocket(port)) {
            engine.local().stopS3();
            try {
                Terser ack = ack(socket.read(MllpSocket.frame(message)));
                assertThat(ack.get("/MSA-1")).isEqualTo("AR");
                assertThat(ack.get("/ERR-3-1")).isEqualTo("207");
                assertThat(cataloged("DOWN-1")).isZero();
            } finally {
                engine.local().startS3();
            }
            assertThat(ack(socket.read(MllpSocket.frame(message))).get("/MSA-1")).isEqualTo("AA");
            assertThat(ack(socket.read(MllpSocket.frame(message))).get("/MSA-1")).as("the ACK was lost: sent again").isEqualTo("AA");
        }
        assertThat(cataloged("DOWN-1")).isEqualTo(1);
    }

    @Test
    void an_oversize_message_gets_ar_207_and_the_connection_goes_on() throws Exception {
        String huge = adt("HUGE-1", "MRN-HUGE") + "NTE|1||" + "x".repeat(MAX_BYTES) + "\r";
        try (MllpSocket socket = new MllpSocket(port)) {
            Terser ack = ack(socket.read(MllpSocket.frame(huge)));
            assertThat(ack.get("/MSA-1")).isEqualTo("AR");
            assertThat(ack.get("/MSA-2")).isEqualTo("HUGE-1");
            assertThat(ack.get("/ERR-3-1")).isEqualTo("207");
            assertThat(ack(socket.read(MllpSocket.frame(adt("AFTER-HUGE", "MRN-HUGE")))).get("/MSA-1")).isEqualTo("AA");
        }
        assertThat(cataloged("HUGE-1")).isZero();
        assertThat(metric("hl7lake_mllp_oversize_total")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void binary_garbage_in_a_frame_gets_ae_100_and_the_connection_goes_on() throws Exception {
        byte[] garbage = new byte[2000];
        new Random(7).nextBytes(garbage);
        for (int i = 0; i < garbage.length; i++) {
            if (garbage[i] == 0x0B || garbage[i] == 0x1C) {
                garbage[i] = 0x00;
            }
        }
        try (MllpSocket socket = new MllpSocket(port)) {
            Terser ack = ack(socket.read(MllpSocket.frame(garbage)));
            assertThat(ack.get("/MSA-1")).isEqualTo("AE");
            assertThat(ack.get("/ERR-3-1")).isEqualTo("100");
            assertThat(ack(socket.read(MllpSocket.frame(adt("AFTER-GARBAGE", "MRN-G")))).get("/MSA-1")).isEqualTo("AA");
        }
    }

    @Test
    void a_frame_that_never_ends_is_closed_after_the_read_timeout_while_others_are_served() throws Exception {
        try (MllpSocket stuck = new MllpSocket(port); MllpSocket other = new MllpSocket(port)) {
            byte[] framed = MllpSocket.frame(adt("NEVER-1", "MRN-NEVER"));
            stuck.write(java.util.Arrays.copyOf(framed, framed.length - 2));
            assertThat(ack(other.read(MllpSocket.frame(adt("MEANWHILE-1", "MRN-NEVER")))).get("/MSA-1")).isEqualTo("AA");
            assertThat(stuck.closedByServer()).isTrue();
        }
        assertThat(cataloged("NEVER-1")).isZero();
        assertThat(metric("hl7lake_mllp_read_timeouts_total")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void one_connection_over_the_limit_is_refused_and_counted() throws Exception {
        double refusedBefore = metric("hl7lake_mllp_connections_refused_total");
        List<MllpSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                open.add(new MllpSocket(port));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> metric("hl7lake_mllp_connections") >= MAX_CONNECTIONS);
            try (MllpSocket refused = new MllpSocket(port)) {
                refused.write(MllpSocket.frame(adt("REFUSED-1", "MRN-R")));
                assertThat(refused.closedByServer()).isTrue();
            }
            assertThat(metric("hl7lake_mllp_connections_refused_total") - refusedBefore).isEqualTo(1);
            assertThat(ack(open.get(0).read(MllpSocket.frame(adt("WITHIN-1", "MRN-R")))).get("/MSA-1")).isEqualTo("AA");
        } finally {
            for (MllpSocket socket : open) {
                socket.close();
            }
        }
        assertThat(cataloged("REFUSED-1")).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> metric("hl7lake_mllp_connections") == 0);
    }

    /** A value of /observe/metrics (0 when absent). */
    static double metric(String name) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    /** The first line of /observe/metrics for a metric, labels included. */
    static String metricLine(String name) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(line -> line.startsWith(name)).findFirst().orElse("");
    }

    private static String first(String hd) {
        int caret = hd.indexOf('^');
        return caret < 0 ? hd : hd.substring(0, caret);
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
