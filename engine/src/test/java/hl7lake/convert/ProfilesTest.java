package hl7lake.convert;

import com.fasterxml.jackson.databind.JsonNode;
import hl7lake.TestFiles;
import hl7lake.hl7.ValidationProfile;
import hl7lake.hl7.Warning;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The same message with bad data types under each profile. */
class ProfilesTest {

    private static final byte[] BAD_TYPES = TestFiles.read(TestFiles.SAMPLES.resolve("adt-a08-v2.3-datatype-warnings.hl7"));

    @Test
    void standard_keeps_values_as_received_and_lists_each_broken_rule_by_location() {
        Conversion.Accepted accepted = Conversions.accepted(Conversions.convert(BAD_TYPES, ValidationProfile.STANDARD));
        assertThat(accepted.warnings()).extracting(w -> w.location().toString())
                .containsExactly("EVN-2.1", "PID-7.1", "PV1-1");
        assertThat(accepted.warnings()).extracting(Warning::dataType).containsExactly("DTM", "DTM", "SI");
        JsonNode document = Conversions.json(accepted);
        assertThat(document.at("/pid/date_time_of_birth/time").asText()).isEqualTo("14/02/1980");
        assertThat(document.at("/pv1/set_id_pv1").asText()).isEqualTo("one");
        assertThat(document.at("/meta/warning_count").asInt()).isEqualTo(3);
        assertThat(document.at("/meta/warnings/0/location").asText()).isEqualTo("EVN-2.1");
        String warnings = document.get("meta").get("warnings").toString();
        assertThat(warnings).doesNotContain("14/02/1980", "2026110211150099999", "one\"");
    }

    @Test
    void strict_rejects_at_the_first_broken_rule_with_code_102() {
        Conversion.Rejected rejected = (Conversion.Rejected) Conversions.convert(BAD_TYPES, ValidationProfile.STRICT);
        assertThat(rejected.rejection().code().getCode()).isEqualTo(102);
        assertThat(rejected.rejection().location()).hasToString("EVN-2.1");
        assertThat(rejected.rejection().reason()).doesNotContain("2026110211150099999");
    }

    @Test
    void lenient_does_not_check_data_types() {
        Conversion.Accepted accepted = Conversions.accepted(Conversions.convert(BAD_TYPES, ValidationProfile.LENIENT));
        assertThat(accepted.warningCount()).isZero();
    }

    @Test
    void structural_rules_reject_in_every_profile() {
        byte[] noControlId = "MSH|^~\\&|A|B|C|D|2026||ADT^A01||P|2.5\rPID|1".getBytes(StandardCharsets.US_ASCII);
        for (ValidationProfile profile : ValidationProfile.values()) {
            assertThat(Conversions.convert(noControlId, profile)).isInstanceOf(Conversion.Rejected.class);
        }
    }

    @Test
    void warnings_are_listed_up_to_a_limit_and_all_counted() {
        StringBuilder message = new StringBuilder("MSH|^~\\&|A|B|C|D|20261102||ORU^R01|W-1|P|2.5\rPID|1\rOBR|1\r");
        for (int i = 1; i <= 150; i++) {
            message.append("OBX|").append(i).append("|NM|X^Y^L||not-a-number\r");
        }
        Conversion.Accepted accepted = Conversions.accepted(
                Conversions.convert(message.toString().getBytes(StandardCharsets.US_ASCII)));
        assertThat(accepted.warningCount()).isEqualTo(150);
        assertThat(accepted.warnings()).hasSize(100);
        assertThat(accepted.warnings().get(149 - 100)).extracting(w -> w.location().toString()).isEqualTo("OBX(50)-5");
    }
}
