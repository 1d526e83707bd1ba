package hl7lake.convert;

import com.fasterxml.jackson.databind.JsonNode;
import hl7lake.TestFiles;
import hl7lake.hl7.MessageMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class MetadataAndStructureTest {

    @Test
    void catalog_metadata_comes_from_msh_and_the_first_pid() {
        Conversion.Accepted accepted = Conversions.accepted(Conversions.convert(
                TestFiles.read(TestFiles.SAMPLES.resolve("adt-a01-v2.5-zsegment-escapes.hl7"))));
        MessageMetadata metadata = accepted.metadata();
        assertThat(metadata.controlId()).isEqualTo("ADT-A01-0001");
        assertThat(metadata.sendingApplication()).isEqualTo("REGADT");
        assertThat(metadata.sendingFacility()).isEqualTo("GOODHEALTH");
        assertThat(metadata.receivingApplication()).isEqualTo("HL7LAKE");
        assertThat(metadata.receivingFacility()).isEqualTo("LAKE");
        assertThat(metadata.messageType()).isEqualTo("ADT");
        assertThat(metadata.triggerEvent()).isEqualTo("A01");
        assertThat(metadata.structure()).isEqualTo("ADT_A01");
        assertThat(metadata.version()).isEqualTo("2.5");
        assertThat(metadata.messageTime()).isEqualTo("20261102083015");
        assertThat(metadata.processingId()).isEqualTo("P");
        assertThat(metadata.charset()).isEqualTo("UTF-8");
        assertThat(metadata.patientIdentifiers()).containsExactly("GOODHEALTH#MR#MRN-1000001", "USSSA#SS#SSN-999-00-0001");
    }

    @Test
    void pid2_and_pid3_both_give_identifiers_and_an_empty_authority_stays_empty() {
        byte[] message = ("MSH|^~\\&|SOURCEEHR|WA|MIRTHDST|WA|201611111111||ADT^A01|C-1|P|2.3\r"
                + "PID|1|100001^^^1^MRN1|900001||DOE^JOHN\r").getBytes(StandardCharsets.US_ASCII);
        assertThat(Conversions.accepted(Conversions.convert(message)).metadata().patientIdentifiers())
                .containsExactly("1#MRN1#100001", "##900001");
    }

    @Test
    void the_patient_of_an_oru_is_found_inside_its_groups() {
        Conversion.Accepted accepted = Conversions.accepted(Conversions.convert(
                TestFiles.read(TestFiles.SAMPLES.resolve("oru-r01-v2.5-many-obx.hl7"))));
        assertThat(accepted.metadata().patientIdentifiers()).containsExactly("GOODHEALTH#MR#MRN-1000001");
    }

    @ParameterizedTest(name = "{0} v{1} -> {2}")
    @CsvSource({
        "ADT^A04, 2.7, ADT_A01", "ADT^A08, 2.3, ADT_A01", "ADT^A31, 2.3.1, ADT_A05", "ADT^A28, 2.3.1, ADT_A05",
        "ADT^A40, 2.3.1, ADT_A39", "ORU^R01, 2.1, ORU_R01", "SIU^S12, 2.4, SIU_S12", "ADT^A01^ADT_A01, 2.8, ADT_A01",
    })
    void every_version_lands_on_the_v25_structure_of_its_event(String type, String version, String structure) {
        byte[] message = ("MSH|^~\\&|A|B|C|D|2026||" + type + "|C-1|P|" + version + "\rPID|1||X\r")
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(Conversions.accepted(Conversions.convert(message)).metadata().structure()).isEqualTo(structure);
    }

    @Test
    void an_msh93_that_names_no_v25_structure_gives_way_to_the_event_and_is_kept() {
        byte[] message = "MSH|^~\\&|A|B|C|D|2026||ADT^A01^ADT_A99|C-1|P|2.3\rPID|1||X\r".getBytes(StandardCharsets.US_ASCII);
        Conversion conversion = Conversions.convert(message);
        assertThat(Conversions.accepted(conversion).metadata().structure()).isEqualTo("ADT_A01");
        JsonNode document = Conversions.json(conversion);
        assertThat(document.at("/msh/message_type/message_structure").asText()).isEqualTo("ADT_A99");
    }

    @Test
    void meta_carries_lineage_and_the_document_is_one_line_of_utf8() {
        Conversion.Accepted accepted = Conversions.accepted(Conversions.convert(
                TestFiles.read(TestFiles.SAMPLES.resolve("adt-a08-v2.3.1-8859-1.hl7"))));
        String line = new String(accepted.document(), StandardCharsets.UTF_8);
        assertThat(line).doesNotContain("\n").startsWith("{\"meta\":{").contains("GONÇALVES");
        JsonNode meta = Conversions.json(accepted).get("meta");
        assertThat(meta.get("message_id").asText()).isEqualTo("01900000-0000-7000-8000-000000000001");
        assertThat(meta.get("door").asText()).isEqualTo("test");
        assertThat(meta.get("received_at").asText()).isEqualTo("2026-11-23T10:15:30.123Z");
        assertThat(meta.get("raw").asText()).isEqualTo("s3://hl7lake/raw/hl7v2/test.hl7");
        assertThat(meta.get("sha256").asText()).hasSize(64).isEqualTo(accepted.sha256());
        assertThat(meta.get("version").asText()).isEqualTo("2.3.1");
        assertThat(meta.get("charset").asText()).isEqualTo("ISO-8859-1");
        assertThat(meta.get("schema_version").asInt()).isEqualTo(2);
        assertThat(meta.get("sending_application").asText()).isEqualTo(accepted.metadata().sendingApplication());
        assertThat(meta.get("sending_facility").asText()).isEqualTo(accepted.metadata().sendingFacility());
        assertThat(meta.get("control_id").asText()).isEqualTo(accepted.metadata().controlId());
        assertThat(meta.get("patient_ids")).extracting(JsonNode::asText)
                .containsExactlyElementsOf(accepted.metadata().patientIdentifiers());
        assertThat(meta.has("warnings")).as("left out when empty").isFalse();
    }

    @Test
    void meta_times_are_iso_8601_utc_with_milliseconds() {
        byte[] message = "MSH|^~\\&|A|B|C|D|20261102083015.5-0500||ADT^A01|C-1|P|2.5\rPID|1||X^^^AUTH^MR\r"
                .getBytes(StandardCharsets.US_ASCII);
        JsonNode meta = Conversions.json(Conversions.converter(hl7lake.hl7.ValidationProfile.STANDARD).convert(message,
                new Receipt("01900000-0000-7000-8000-000000000002", "test", java.time.Instant.parse("2026-11-23T10:15:30Z"),
                        null))).get("meta");
        assertThat(meta.get("received_at").asText()).isEqualTo("2026-11-23T10:15:30.000Z");
        assertThat(meta.get("message_time").asText()).isEqualTo("2026-11-02T13:30:15.500Z");
        assertThat(meta.get("patient_ids").get(0).asText()).isEqualTo("AUTH#MR#X");
        assertThat(meta.has("raw")).isFalse();
    }

    @Test
    void escapes_are_decoded_and_the_hl7_null_is_json_null() {
        JsonNode document = Conversions.json(Conversions.convert(
                TestFiles.read(TestFiles.SAMPLES.resolve("adt-a01-v2.5-zsegment-escapes.hl7"))));
        assertThat(document.at("/pid/patient_address/0/street_address/street_or_mailing_address").asText())
                .isEqualTo("12 TEST STREET|UNIT 4");
        assertThat(document.at("/obx/1/observation_value/0").asText())
                .isEqualTo("Patient reports pain ^ score 7\\10; see chart~ward");
        // the Z-segment HAPI placed inside the second insurance group is in the root z_segments array
        JsonNode zpi = document.at("/z_segments/0");
        assertThat(zpi.get("segment").asText()).isEqualTo("ZPI");
        assertThat(zpi.get("index").asInt()).isEqualTo(1);
        assertThat(zpi.get("group").asText()).isEqualTo("insurance");
        assertThat(zpi.at("/fields/2.2").asText()).isEqualTo("Very important");
        assertThat(zpi.at("/fields/3").asText()).as("the HL7 null in a string map").isEqualTo("\"\"");
        assertThat(zpi.at("/fields/4").asText()).isEqualTo("custom|value");
        assertThat(document.has("insurance")).isTrue();
        assertThat(document.at("/insurance/1").has("zpi")).isFalse();
    }
}
