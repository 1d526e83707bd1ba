package hl7lake.hl7;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v25.message.ACK;
import ca.uhn.hl7v2.util.Terser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AckBuilderTest {

    private static final Hl7Parser PARSER = new Hl7Parser();
    private final AckBuilder builder = new AckBuilder(PARSER.context(), Clock.systemUTC());

    private static MshHeader header(String msh) throws Hl7Rejection {
        return MshHeader.read(msh);
    }

    /** The ACK parsed back with HAPI (any version, generic parse): proof that it is valid ER7. */
    private static Terser parsed(Ack ack) throws Exception {
        Message message = PARSER.context().getGenericParser().parse(ack.er7());
        assertThat(message).isInstanceOf(ACK.class);
        return new Terser(message);
    }

    @Test
    void aa_swaps_sender_and_receiver_and_echoes_the_control_id_with_a_new_one_of_its_own() throws Exception {
        MshHeader inbound = header("MSH|^~\\&|SRCAPP|SRCFAC|DSTAPP|DSTFAC|20261102083015||ADT^A01^ADT_A01|MSG-0001|P|2.5");
        Ack ack = builder.ack(inbound, AcknowledgmentCode.AA, null);
        Terser t = parsed(ack);
        assertThat(t.get("/MSH-3")).isEqualTo("DSTAPP");
        assertThat(t.get("/MSH-4")).isEqualTo("DSTFAC");
        assertThat(t.get("/MSH-5")).isEqualTo("SRCAPP");
        assertThat(t.get("/MSH-6")).isEqualTo("SRCFAC");
        assertThat(t.get("/MSH-7")).isNotEqualTo("20261102083015").isNotBlank();
        assertThat(t.get("/MSH-9-1")).isEqualTo("ACK");
        assertThat(t.get("/MSH-9-2")).isEqualTo("A01");
        assertThat(t.get("/MSH-9-3")).isEqualTo("ACK");
        assertThat(t.get("/MSH-10")).isEqualTo(ack.controlId()).isNotEqualTo("MSG-0001").hasSize(20);
        assertThat(t.get("/MSH-11")).isEqualTo("P");
        assertThat(t.get("/MSH-12")).isEqualTo("2.5");
        assertThat(t.get("/MSA-1")).isEqualTo("AA");
        assertThat(t.get("/MSA-2")).isEqualTo("MSG-0001");
        assertThat(ack.er7()).doesNotContain("ERR");
    }

    @Test
    void ae_carries_an_err_segment_with_location_code_and_severity_and_the_reason_in_msa3() throws Exception {
        MshHeader inbound = header("MSH|^~\\&|SRC|F|DST|F|2026||ORU^R01|MSG-0002|T|2.5");
        Hl7Rejection rejection = new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR,
                new ErrorLocation("OBX", 3, 5, 2, 1, 0), "NM value does not conform to the NM data type");
        Ack ack = builder.ack(inbound, AcknowledgmentCode.AE, rejection);
        Terser t = parsed(ack);
        assertThat(t.get("/MSA-1")).isEqualTo("AE");
        assertThat(t.get("/MSA-2")).isEqualTo("MSG-0002");
        assertThat(t.get("/MSA-3")).isEqualTo("NM value does not conform to the NM data type");
        assertThat(t.get("/ERR-2-1")).isEqualTo("OBX");
        assertThat(t.get("/ERR-2-2")).isEqualTo("3");
        assertThat(t.get("/ERR-2-3")).isEqualTo("5");
        assertThat(t.get("/ERR-2-4")).isEqualTo("2");
        assertThat(t.get("/ERR-2-5")).isEqualTo("1");
        assertThat(t.get("/ERR-3-1")).isEqualTo("102");
        assertThat(t.get("/ERR-3-3")).isEqualTo("HL70357");
        assertThat(t.get("/ERR-4")).isEqualTo("E");
        assertThat(t.get("/MSH-11")).isEqualTo("T");
    }

    @Test
    void ar_for_an_unsupported_version_still_answers_in_the_senders_terms() throws Exception {
        MshHeader inbound = MshHeader.lenient("MSH|^~\\&|SRC|F|DST|F|2026||ADT^A01|MSG-0003|P|9.9");
        Hl7Rejection rejection = new Hl7Rejection(ErrorCode.UNSUPPORTED_VERSION_ID,
                new ErrorLocation("MSH", 1, 12, 0, 1, 0), "MSH-12 version id is not supported");
        Ack ack = builder.ack(inbound, rejection.acknowledgmentCode(), rejection);
        assertThat(ack.code()).isEqualTo(AcknowledgmentCode.AR);
        assertThat(ack.er7()).contains("MSA|AR|MSG-0003|").contains("|203^");
        assertThat(parsed(ack).get("/MSH-12")).as("answered in a version the sender can parse").isEqualTo("2.5");
    }

    @Test
    void receivers_before_v25_also_get_err1_and_the_reason_in_msa3() throws Exception {
        MshHeader inbound = header("MSH|^~\\&|SRC|F|DST|F|2026||ADT^A08|MSG-0004|P|2.3");
        Hl7Rejection rejection = new Hl7Rejection(ErrorCode.REQUIRED_FIELD_MISSING,
                ErrorLocation.field("PID", 1, 3), "PID-3 is required");
        Ack ack = builder.ack(inbound, AcknowledgmentCode.AE, rejection);
        String err = segment(ack.er7(), "ERR");
        assertThat(err).startsWith("ERR|PID^1^3^101&").contains("|PID^1^3|101^");
        assertThat(segment(ack.er7(), "MSA")).isEqualTo("MSA|AE|MSG-0004|PID-3 is required");
    }

    @Test
    void inbound_delimiters_and_charset_are_kept() throws Exception {
        MshHeader inbound = header("MSH#*~\\&#SRC*X#F#DST#F#2026##ADT*A01#MSG-0005#P#2.5######8859/1");
        Ack ack = builder.ack(inbound, AcknowledgmentCode.AA, null);
        assertThat(ack.er7()).startsWith("MSH#*~\\&#DST#F#SRC*X#F#").contains("#ACK*A01*ACK#").contains("#8859/1");
        assertThat(ack.er7()).contains("MSA#AA#MSG-0005");
    }

    /**
     * Enhanced mode, HL7 v2.5 chapter 2: the accept ACK as MSH-15 asks (CA committed; CR a type,
     * event, processing id or version not taken; CE not stored), then, for a committed message only,
     * the application ACK as MSH-16 asks (AA, or AE for content that is wrong). Empty means AL.
     */
    @ParameterizedTest(name = "MSH-15 {0}, MSH-16 {1}, outcome {2} -> {3}")
    @CsvSource({
        // success
        "AL, AL, AA, CA AA", "AL, NE, AA, CA", "AL, ER, AA, CA", "AL, SU, AA, CA AA",
        "ER, AL, AA, AA", "ER, NE, AA, none", "ER, ER, AA, none", "ER, SU, AA, AA",
        "NE, AL, AA, AA", "NE, NE, AA, none", "SU, AL, AA, CA AA", "SU, ER, AA, CA",
        "'', AL, AA, CA AA", "AL, '', AA, CA AA", "ER, '', AA, AA",
        // content wrong (stored in the error zone: committed), 102
        "AL, AL, AE, CA AE", "ER, AL, AE, AE", "ER, ER, AE, AE", "AL, NE, AE, CA", "SU, SU, AE, CA",
        "NE, ER, AE, AE", "NE, SU, AE, none",
        // not stored, 207: commit error, no application ACK
        "AL, AL, AR, CE", "ER, AL, AR, CE", "SU, AL, AR, none", "NE, AL, AR, none",
        // unsupported version, 203: commit reject, no application ACK
        "AL, AL, AR203, CR", "ER, ER, AR203, CR", "SU, AL, AR203, none",
    })
    void enhanced_mode_sends_the_accept_and_application_acks_msh15_and_msh16_ask_for(
            String msh15, String msh16, String outcome, String expected) throws Exception {
        MshHeader inbound = header("MSH|^~\\&|SRC|F|DST|F|2026||ADT^A01|MSG-0006|P|2.5|||" + msh15 + "|" + msh16);
        if (msh15.isEmpty() && msh16.isEmpty()) {
            throw new IllegalArgumentException("not enhanced mode");
        }
        Hl7Rejection rejection = switch (outcome) {
            case "AA" -> null;
            case "AE" -> new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR, ErrorLocation.field("PID", 1, 7), "TS value does not conform");
            case "AR" -> new Hl7Rejection(ErrorCode.APPLICATION_INTERNAL_ERROR, ErrorLocation.message(), "storage unavailable");
            default -> new Hl7Rejection(ErrorCode.UNSUPPORTED_VERSION_ID, new ErrorLocation("MSH", 1, 12, 0, 1, 0), "version");
        };
        AcknowledgmentCode code = rejection == null ? AcknowledgmentCode.AA : rejection.acknowledgmentCode();
        List<Ack> acks = builder.answers(inbound, code, rejection);
        List<String> codes = new ArrayList<>();
        for (Ack ack : acks) {
            Terser t = parsed(ack);
            assertThat(t.get("/MSA-2")).isEqualTo("MSG-0006");
            assertThat(t.get("/MSH-15")).as("an ACK is not acknowledged").isEqualTo("NE");
            assertThat(t.get("/MSH-16")).isEqualTo("NE");
            assertThat(ack.er7().contains("\rERR")).as(ack.code() + " carries ERR only on an error")
                    .isEqualTo(!ack.code().name().equals("AA") && !ack.code().name().equals("CA"));
            codes.add(t.get("/MSA-1"));
        }
        assertThat(String.join(" ", codes)).isEqualTo(expected.equals("none") ? "" : expected);
    }

    @Test
    void original_mode_gets_one_ack_with_the_outcome_code() throws Exception {
        MshHeader inbound = header("MSH|^~\\&|SRC|F|DST|F|2026||ADT^A01|MSG-0007|P|2.5");
        assertThat(builder.answers(inbound, AcknowledgmentCode.AA, null)).extracting(Ack::code)
                .containsExactly(AcknowledgmentCode.AA);
        Hl7Rejection rejection = new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR, ErrorLocation.field("PID", 1, 7), "bad");
        assertThat(builder.answers(inbound, AcknowledgmentCode.AE, rejection)).extracting(Ack::code)
                .containsExactly(AcknowledgmentCode.AE);
        assertThat(parsed(builder.answers(inbound, AcknowledgmentCode.AA, null).get(0)).get("/MSH-15")).isNull();
    }

    @ParameterizedTest(name = "MSH-2 {0}")
    @CsvSource(value = {"^~\\&#", "^~\\&", "^~\\", "^~", "*~\\&#", "^~\\&!"}, quoteCharacter = '"')
    void an_msh2_of_two_to_five_characters_is_answered_in_its_own_delimiters(String encoding) throws Exception {
        MshHeader inbound = MshHeader.lenient("MSH|" + encoding + "|SRC" + encoding.charAt(0) + "X|F|DST|F|2026||ADT"
                + encoding.charAt(0) + "A01|MSG-0008|P|2.5.1");
        for (AcknowledgmentCode code : new AcknowledgmentCode[] {AcknowledgmentCode.AA, AcknowledgmentCode.AE}) {
            Hl7Rejection rejection = code == AcknowledgmentCode.AA ? null
                    : new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR, ErrorLocation.field("MSH", 1, 2), "MSH-2");
            Ack ack = builder.ack(inbound, code, rejection);
            assertThat(ack.minimal()).as("built in the sender's delimiters, not the fallback").isFalse();
            String expectedMsh2 = encoding.length() >= 4 ? encoding : AckBuilder.hapiEncoding(inbound);
            assertThat(ack.er7()).startsWith("MSH|" + expectedMsh2 + "|DST|F|SRC" + encoding.charAt(0) + "X|F|");
            assertThat(expectedMsh2).startsWith(encoding.substring(0, Math.min(4, encoding.length())));
            Terser t = parsed(ack);
            assertThat(t.get("/MSA-1")).isEqualTo(code.name());
            assertThat(t.get("/MSA-2")).isEqualTo("MSG-0008");
            assertThat(t.get("/MSH-9-2")).isEqualTo("A01");
        }
    }

    @Test
    void the_minimal_ack_parses_and_names_the_message_whatever_its_control_id_holds() throws Exception {
        MshHeader inbound = MshHeader.lenient("MSH#*~\\&#SRC#F#DST#F#2026##ADT*A01#ID|1^2&3\\E\\#P#2.5###AL#AL");
        Hl7Rejection rejection = new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR, new ErrorLocation("OBX", 3, 2, 0, 0, 0),
                "OBX-2 value type is not an HL7 v2.5 data type");
        Ack ack = builder.minimal(inbound, AcknowledgmentCode.AE, rejection, "OURS-1");
        assertThat(ack.minimal()).isTrue();
        assertThat(ack.describe()).contains("minimal");
        Terser t = parsed(ack);
        assertThat(t.get("/MSA-1")).isEqualTo("AE");
        assertThat(t.get("/MSA-2")).isEqualTo("ID|1^2&3\\");
        assertThat(t.get("/MSH-10")).isEqualTo("OURS-1");
        assertThat(t.get("/ERR-2-1")).isEqualTo("OBX");
        assertThat(t.get("/ERR-2-2")).isEqualTo("3");
        assertThat(t.get("/ERR-2-3")).isEqualTo("2");
        assertThat(t.get("/ERR-3-1")).isEqualTo("102");
        assertThat(t.get("/ERR-4")).isEqualTo("E");
        assertThat(parsed(builder.minimal(MshHeader.UNREADABLE, AcknowledgmentCode.AR, null, "OURS-2")).get("/MSA-2")).isNull();
    }

    @Test
    void a_broken_msh2_still_gets_msa2_from_msh10() throws Exception {
        byte[] bytes = "MSH|^^\\&|SRC|F|DST|F|2026||ADT^A01|MSG-0009|P|2.5\rPID|1\r".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        MshHeader header = MshHeader.forReply(bytes);
        Hl7Rejection rejection = new Hl7Rejection(ErrorCode.DATA_TYPE_ERROR, ErrorLocation.field("MSH", 1, 2), "MSH-2");
        assertThat(parsed(builder.ack(header, AcknowledgmentCode.AE, rejection)).get("/MSA-2")).isEqualTo("MSG-0009");
        byte[] bom = ("\uFEFFMSH|^~\\&|SRC|F|DST|F|2026||ADT^A01|MSG-0010|P|2.5\r").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(MshHeader.forReply(bom).controlId()).isEqualTo("MSG-0010");
    }

    @Test
    void an_unreadable_message_still_gets_a_parseable_ack() throws Exception {
        Hl7Rejection rejection = new Hl7Rejection(ErrorCode.SEGMENT_SEQUENCE_ERROR, ErrorLocation.segment("MSH", 1),
                "the message does not start with an MSH segment");
        Ack ack = builder.ack(MshHeader.UNREADABLE, AcknowledgmentCode.AE, rejection);
        assertThat(parsed(ack).get("/MSA-1")).isEqualTo("AE");
    }

    private static String segment(String er7, String id) {
        for (String segment : er7.split("\r")) {
            if (segment.startsWith(id)) {
                return segment;
            }
        }
        throw new AssertionError(id + " not in ACK");
    }
}
