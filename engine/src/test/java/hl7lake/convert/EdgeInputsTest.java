package hl7lake.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hl7lake.TestFiles;
import hl7lake.hl7.Hl7Rejection;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Inputs the hold-out tests of issue 12 found answered wrongly: a byte order mark, site-specific types, OBX-2, MSH-2, MSH-9. */
class EdgeInputsTest {

    private static final String ADT = "MSH|^~\\&|REG|FAC|LAKE|L|20261102083015||ADT^A08|EDGE-BOM|P|2.5\r"
            + "EVN|A08|20261102083015\rPID|1||MRN-1^^^FAC^MR||TESTPATIENT^BOM\rPV1|1|O\r";

    @Test
    void a_message_after_a_utf8_byte_order_mark_is_accepted_as_the_same_message() {
        byte[] plain = ADT.getBytes(StandardCharsets.UTF_8);
        byte[] bom = new byte[plain.length + 3];
        bom[0] = (byte) 0xEF;
        bom[1] = (byte) 0xBB;
        bom[2] = (byte) 0xBF;
        System.arraycopy(plain, 0, bom, 3, plain.length);
        Conversion.Accepted withBom = Conversions.accepted(Conversions.convert(bom));
        Conversion.Accepted without = Conversions.accepted(Conversions.convert(plain));
        assertThat(withBom.metadata()).isEqualTo(without.metadata());
        JsonNode a = Conversions.json(withBom);
        JsonNode b = Conversions.json(without);
        assertThat(a.get("meta").get("sha256").asText()).as("the hash is of the bytes received")
                .isEqualTo(MessageConverter.sha256(bom)).isNotEqualTo(b.get("meta").get("sha256").asText());
        ((ObjectNode) a.get("meta")).remove("sha256");
        ((ObjectNode) b.get("meta")).remove("sha256");
        assertThat(a).isEqualTo(b);
    }

    @Test
    void a_site_specific_message_type_is_accepted_with_a_generic_structure_and_every_value_kept() {
        byte[] bytes = TestFiles.read(Path.of("samples", "zdt-z01-v2.5-site-specific.hl7"));
        Conversion.Accepted accepted = Conversions.accepted(Conversions.convert(bytes));
        assertThat(accepted.metadata().structure()).isEqualTo("ZDT_Z01");
        assertThat(accepted.metadata().siteSpecific()).isTrue();
        assertThat(accepted.metadata().patientIdentifiers()).containsExactly("NORTHCLINIC#MR#MRN-2000002");
        JsonNode document = Conversions.json(accepted);
        assertThat(document.get("meta").get("structure").asText()).isEqualTo("ZDT_Z01");
        assertThat(document.get("meta").get("message_type").asText()).isEqualTo("ZDT");
        // the generic structure: every segment, standard ones with their v2.5 names, as a list in message order
        assertThat(document.get("msh").get(0).get("message_control_id").asText()).isEqualTo("ZDT-Z01-0001");
        assertThat(document.get("pid").get(0).get("patient_name").get(0).get("given_name").asText()).isEqualTo("DELTA");
        // its Z-segments in the root z_segments array, as in every structure
        assertThat(document.get("z_segments").findValuesAsText("segment")).containsExactly("ZDT", "ZDT");
        assertThat(document.toString()).contains("MRN-2000002", "DIALYSIS", "Dry weight", "71.5");
    }

    @Test
    void a_z_trigger_of_a_standard_type_and_an_unknown_type_are_still_not_taken() {
        assertThat(rejection("MSH|^~\\&|A|B|C|D|2026||ADT^Z99|X|P|2.5\rPID|1\r")).hasToString(
                "201 at MSH-9.2: MSH-9.2 trigger event has no message structure in HL7 v2.5 for this message type");
        assertThat(rejection("MSH|^~\\&|A|B|C|D|2026||ZZZZ^Z01|X|P|2.5\rPID|1\r").code().getCode()).isEqualTo(200);
        assertThat(rejection("MSH|^~\\&|A|B|C|D|2026||{}^{}|X|P|2.5\rPID|1\r").location()).hasToString("MSH-9.1");
    }

    @Test
    void obx2_problems_name_the_obx_and_its_position() {
        String head = "MSH|^~\\&|A|B|C|D|2026||ORU^R01|X|P|2.5\rPID|1\rOBR|1\r";
        assertThat(rejection(head + "OBX|1|XX|c||1\r").location()).hasToString("OBX-2");
        assertThat(rejection(head + "OBX|1|NM|c||1\rOBX|2|NM|c||2\rOBX|3|C^E|c||3\r").location()).hasToString("OBX(3)-2");
        Hl7Rejection missing = rejection(head + "OBX|1|NM|c||1\rOBX|2||c||2\r");
        assertThat(missing.location()).hasToString("OBX(2)-2");
        assertThat(missing.code().getCode()).isEqualTo(101);
        assertThat(Conversions.convert((head + "OBX|1||c||\r").getBytes(StandardCharsets.US_ASCII)))
                .as("no OBX-2 is fine when OBX-5 is empty").isInstanceOf(Conversion.Accepted.class);
    }

    @Test
    void msh2_with_the_truncation_character_is_accepted_and_with_three_characters_rejected_at_msh2() {
        Conversion.Accepted accepted = Conversions.accepted(Conversions.convert(
                ADT.replace("^~\\&", "^~\\&#").getBytes(StandardCharsets.US_ASCII)));
        assertThat(accepted.header().encodingCharacters()).isEqualTo("^~\\&#");
        Hl7Rejection three = rejection(ADT.replace("^~\\&", "^~\\"));
        assertThat(three.location()).hasToString("MSH-2");
        assertThat(three.code().getCode()).isEqualTo(102);
        Conversion broken = Conversions.convert(ADT.replace("^~\\&", "^^\\&").getBytes(StandardCharsets.US_ASCII));
        assertThat(broken.header().controlId()).as("MSA-2 can still name the message").isEqualTo("EDGE-BOM");
    }

    private static Hl7Rejection rejection(String er7) {
        Conversion conversion = Conversions.convert(er7.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(conversion).isInstanceOf(Conversion.Rejected.class);
        return ((Conversion.Rejected) conversion).rejection();
    }
}
