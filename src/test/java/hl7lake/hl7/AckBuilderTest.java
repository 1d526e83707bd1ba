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
import java.util.Optional;

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
        Ack ack = builder.build(inbound, AcknowledgmentCode.AA, null).orElseThrow();
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
        Ack ack = builder.build(inbound, AcknowledgmentCode.AE, rejection).orElseThrow();
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
        Ack ack = builder.build(inbound, rejection.acknowledgmentCode(), rejection).orElseThrow();
        assertThat(ack.code()).isEqualTo(AcknowledgmentCode.AR);
        assertThat(ack.er7()).contains("MSA|AR|MSG-0003|").contains("|203^");
        assertThat(parsed(ack).get("/MSH-12")).as("answered in a version the sender can parse").isEqualTo("2.5");
    }

    @Test
    void receivers_before_v25_also_get_err1_and_the_reason_in_msa3() throws Exception {
        MshHeader inbound = header("MSH|^~\\&|SRC|F|DST|F|2026||ADT^A08|MSG-0004|P|2.3");
        Hl7Rejection rejection = new Hl7Rejection(ErrorCode.REQUIRED_FIELD_MISSING,
                ErrorLocation.field("PID", 1, 3), "PID-3 is required");
        Ack ack = builder.build(inbound, AcknowledgmentCode.AE, rejection).orElseThrow();
        String err = segment(ack.er7(), "ERR");
        assertThat(err).startsWith("ERR|PID^1^3^101&").contains("|PID^1^3|101^");
        assertThat(segment(ack.er7(), "MSA")).isEqualTo("MSA|AE|MSG-0004|PID-3 is required");
    }

    @Test
    void inbound_delimiters_and_charset_are_kept() throws Exception {
        MshHeader inbound = header("MSH#*~\\&#SRC*X#F#DST#F#2026##ADT*A01#MSG-0005#P#2.5######8859/1");
        Ack ack = builder.build(inbound, AcknowledgmentCode.AA, null).orElseThrow();
        assertThat(ack.er7()).startsWith("MSH#*~\\&#DST#F#SRC*X#F#").contains("#ACK*A01*ACK#").contains("#8859/1");
        assertThat(ack.er7()).contains("MSA#AA#MSG-0005");
    }

    @ParameterizedTest(name = "MSH-15 {0}, outcome {1} -> {2}")
    @CsvSource({
        "AL, AA, CA", "AL, AE, CE", "AL, AR, CR", "'', AA, CA",
        "NE, AA, none", "NE, AE, none",
        "ER, AA, none", "ER, AE, CE", "ER, AR, CR",
        "SU, AA, CA", "SU, AE, none",
    })
    void enhanced_mode_sends_commit_acks_as_msh15_asks(String msh15, AcknowledgmentCode outcome, String expected)
            throws Exception {
        MshHeader inbound = header("MSH|^~\\&|SRC|F|DST|F|2026||ADT^A01|MSG-0006|P|2.5|||" + msh15 + "|AL");
        Hl7Rejection rejection = outcome == AcknowledgmentCode.AA ? null
                : new Hl7Rejection(ErrorCode.APPLICATION_INTERNAL_ERROR, ErrorLocation.message(), "storage unavailable");
        Optional<Ack> ack = builder.build(inbound, outcome, rejection);
        if (expected.equals("none")) {
            assertThat(ack).isEmpty();
        } else {
            assertThat(ack).hasValueSatisfying(a -> {
                assertThat(a.code().name()).isEqualTo(expected);
                assertThat(a.er7()).contains("MSA|" + expected + "|MSG-0006");
            });
        }
    }

    @Test
    void an_unreadable_message_still_gets_a_parseable_ack() throws Exception {
        Hl7Rejection rejection = new Hl7Rejection(ErrorCode.SEGMENT_SEQUENCE_ERROR, ErrorLocation.segment("MSH", 1),
                "the message does not start with an MSH segment");
        Ack ack = builder.build(MshHeader.UNREADABLE, AcknowledgmentCode.AE, rejection).orElseThrow();
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
