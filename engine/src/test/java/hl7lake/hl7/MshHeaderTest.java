package hl7lake.hl7;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MshHeaderTest {

    private static final String GOOD = "MSH|^~\\&|APP|FAC|RAPP|RFAC|20261102083015||ADT^A01^ADT_A01|CTRL-1|P|2.5|||AL|NE||8859/1\rPID|1";

    @Test
    void reads_fields_by_their_hl7_numbers() throws Exception {
        MshHeader header = MshHeader.read(GOOD);
        assertThat(header.fieldSeparator()).isEqualTo('|');
        assertThat(header.encodingCharacters()).isEqualTo("^~\\&");
        assertThat(header.sendingApplication()).isEqualTo("APP");
        assertThat(header.receivingFacility()).isEqualTo("RFAC");
        assertThat(header.messageTime()).isEqualTo("20261102083015");
        assertThat(header.messageType()).isEqualTo("ADT");
        assertThat(header.triggerEvent()).isEqualTo("A01");
        assertThat(header.messageStructure()).isEqualTo("ADT_A01");
        assertThat(header.controlId()).isEqualTo("CTRL-1");
        assertThat(header.processingId()).isEqualTo("P");
        assertThat(header.versionId()).isEqualTo("2.5");
        assertThat(header.acceptAckType()).isEqualTo("AL");
        assertThat(header.applicationAckType()).isEqualTo("NE");
        assertThat(header.characterSet()).isEqualTo("8859/1");
        assertThat(header.enhancedMode()).isTrue();
    }

    @Test
    void original_mode_when_msh15_and_msh16_are_empty() throws Exception {
        assertThat(MshHeader.read("MSH|^~\\&|A|B|C|D|2026||ADT^A01|1|P|2.3").enhancedMode()).isFalse();
    }

    @Test
    void other_delimiters_are_honoured() throws Exception {
        MshHeader header = MshHeader.read("MSH#*~\\&#APP#FAC###2026##ORU*R01#X1#P#2.4");
        assertThat(header.fieldSeparator()).isEqualTo('#');
        assertThat(header.messageType()).isEqualTo("ORU");
        assertThat(header.triggerEvent()).isEqualTo("R01");
        assertThat(header.controlId()).isEqualTo("X1");
    }

    @ParameterizedTest(name = "{0} -> {1} at {2}")
    @CsvSource(delimiter = ';', value = {
        "PID|1||X;                                                       100; MSH",
        "MSH1^~\\&|A;                                                   102; MSH-1",
        "MSH|^^\\&|A|B|C|D|2026||ADT^A01|1|P|2.5;                       102; MSH-2",
        "MSH|^~\\&|A|B|C|D|2026|||1|P|2.5;                              101; MSH-9",
        "MSH|^~\\&|A|B|C|D|2026||ADT^A01||P|2.5;                        101; MSH-10",
        "MSH|^~\\&|A|B|C|D|2026||ADT^A01|1|P;                           101; MSH-12",
        "MSH|^~\\&|A|B|C|D|2026||ADT^A01|1|P|2.9;                       203; MSH-12.1",
        "MSH|^~\\&|A|B|C|D|2026||ADT^A01|1|P|3.0;                       203; MSH-12.1",
        "MSH|^~\\&|A|B|C|D|2026||ADT^A01|1|Q|2.5;                       202; MSH-11.1",
    })
    void rejects_untrustworthy_headers_with_code_and_location(String msh, int code, String location) {
        assertThatThrownBy(() -> MshHeader.read(msh))
                .isInstanceOfSatisfying(Hl7Rejection.class, rejection -> {
                    assertThat(rejection.code().getCode()).isEqualTo(code);
                    assertThat(rejection.location()).hasToString(location);
                });
    }

    @Test
    void unsupported_version_is_not_processed_AR_while_missing_fields_are_content_errors_AE() {
        assertThat(new Hl7Rejection(ErrorCode.UNSUPPORTED_VERSION_ID, ErrorLocation.message(), "x")
                .acknowledgmentCode()).isEqualTo(AcknowledgmentCode.AR);
        assertThat(new Hl7Rejection(ErrorCode.REQUIRED_FIELD_MISSING, ErrorLocation.message(), "x")
                .acknowledgmentCode()).isEqualTo(AcknowledgmentCode.AE);
    }

    @Test
    void lenient_reading_still_addresses_an_ack_when_checks_fail() throws Exception {
        MshHeader header = MshHeader.lenient("MSH|^~\\&|APP|FAC|RAPP|RFAC|2026||ADT^A01||P|9.9");
        assertThat(header.sendingApplication()).isEqualTo("APP");
        assertThat(header.version()).isEqualTo("9.9");
        assertThatThrownBy(header::check).isInstanceOf(Hl7Rejection.class);
    }
}
