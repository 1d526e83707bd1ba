package hl7lake.convert;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One structure, one schema, whatever the message holds: arrays exactly where v2.5 allows repetition,
 * v2.5 primitives always strings, what goes beyond the definition in the segment's ext map, a
 * varies field as strings plus one typed object, Z-segments in one root array. StagingSqlTest
 * proves the whole over a generated corpus with a SQL engine; these pin each rule.
 */
class OneSchemaTest {

    private static final String ONE = "MSH|^~\\&|A|B|C|D|20261102083015||ADT^A01|S-1|P|2.5\r"
            + "EVN|A01|20261102083015\r"
            + "PID|1||ID1^^^AUTH^MR||LAST^FIRST||19800101|F|||1 ST^^CITY||^PRN^PH^^1^555^0100001\r"
            + "NK1|1|KIN^ONE|SPO\r"
            + "PV1|1|I\r"
            + "OBX|1|NM|1^A^L||5|mg\r"
            + "DG1|1||R07^Pain^I10\r"
            + "IN1|1|P1^Plan|I1|INSURER\r";
    private static final String MANY = "MSH|^~\\&|A|B|C|D|20261102083015||ADT^A01|S-2|P|2.5\r"
            + "EVN|A01|20261102083015\r"
            + "PID|1||ID1^^^AUTH^MR~ID2^^^AUTH^PI~ID3^^^OTHER^MR||LAST^FIRST~ALIAS^OTHER||19800101|F|||1 ST^^CITY~2 ST^^TOWN||"
            + "^PRN^PH^^1^555^0100001~^WPN^PH^^1^555^0100002\r"
            + "NK1|1|KIN^ONE|SPO\rNK1|2|KIN^TWO|CHD\rNK1|3|KIN^THREE|PAR\r"
            + "PV1|1|I\r"
            + "OBX|1|NM|1^A^L||5|mg\rOBX|2|NM|2^B^L||6|mg\r"
            + "DG1|1||R07^Pain^I10\rDG1|2||R51^Headache^I10\r"
            + "IN1|1|P1^Plan|I1|INSURER\rIN1|2|P2^Plan|I2|INSURER2\r";

    @Test
    void two_adt_a01_with_different_repetition_counts_have_the_same_key_paths_and_types() {
        Map<String, String> one = schema(ONE);
        Map<String, String> many = schema(MANY);
        assertThat(one).containsKeys("pid.patient_identifier_list[].id_number", "nk1[].nk_name[].given_name",
                "insurance[].in1.insurance_company_name[].organization_name", "pid.patient_name[].family_name.surname");
        assertThat(many).isEqualTo(one);
    }

    private static JsonNode document(String segments) {
        return Conversions.json(Conversions.convert(("MSH|^~\\&|A|B|C|D|20261102083015||ORU^R01|S-3|P|2.7\r"
                + segments).getBytes(StandardCharsets.UTF_8)));
    }

    private static JsonNode pid(String pid) {
        return document(pid + "\r").at("/patient_result/0/patient/pid");
    }

    @Test
    void a_v27_composite_in_a_v25_string_field_stays_a_string_and_its_other_components_go_to_ext() {
        JsonNode pid = pid("PID|1||ID1||LAST^FIRST||19800101|F^Female^HL70001");
        assertThat(pid.get("administrative_sex").isTextual()).isTrue();
        assertThat(pid.get("administrative_sex").asText()).isEqualTo("F");
        assertThat(pid.at("/ext/8.2").asText()).isEqualTo("Female");
        assertThat(pid.at("/ext/8.3").asText()).isEqualTo("HL70001");
    }

    @Test
    void a_non_repeating_field_sent_repeated_keeps_its_first_repetition_and_the_others_go_to_ext() {
        JsonNode pid = pid("PID|1||ID1||LAST^FIRST||19800101|M~F^Female");
        assertThat(pid.get("administrative_sex").asText()).isEqualTo("M");
        assertThat(pid.at("/ext/8[2].1").asText()).isEqualTo("F");
        assertThat(pid.at("/ext/8[2].2").asText()).isEqualTo("Female");
    }

    @Test
    void fields_components_and_subcomponents_beyond_v25_go_to_ext_by_position() {
        JsonNode pid = pid("PID|1||ID1^^^AUTH^MR^^^^^^X11^X12~ID2^^^AUTH^PI^^^^^^Y11||LAST^FIRST&SUB||19800101|F"
                + "||||||||||||||||||||||||||||||||F40|F41^C2");
        assertThat(pid.at("/patient_identifier_list/0/id_number").asText()).isEqualTo("ID1");
        assertThat(pid.at("/ext/3.11").asText()).isEqualTo("X11");
        assertThat(pid.at("/ext/3.12").asText()).isEqualTo("X12");
        assertThat(pid.at("/ext/3[2].11").asText()).isEqualTo("Y11");
        assertThat(pid.at("/patient_name/0/given_name").asText()).isEqualTo("FIRST");
        assertThat(pid.at("/ext/5.2.2").asText()).isEqualTo("SUB");
        assertThat(pid.at("/ext/40").asText()).isEqualTo("F40");
        assertThat(pid.at("/ext/41.1").asText()).isEqualTo("F41");
        assertThat(pid.at("/ext/41.2").asText()).isEqualTo("C2");
        pid.get("ext").forEach(value -> assertThat(value.isTextual()).as("ext is string -> string").isTrue());
    }

    @Test
    void obx5_is_strings_as_sent_plus_one_typed_object_filled_by_obx2() {
        JsonNode document = document("PID|1||ID1\rOBR|1\r"
                + "OBX|1|NM|2345-7^Glucose^LN||98.60|mg/dL\r"
                + "OBX|2|CE|C1^x^L||Y^Yes^HL70136~N^No^HL70136\r"
                + "OBX|3|SN|C2^x^L||<=^0.01\r"
                + "OBX|4|TS|C3^x^L||20261102083015+0100\r"
                + "OBX|5|ED|C4^x^L||LAB^TEXT^PDF^Base64^SGVsbG8=\r"
                + "OBX|6|ST|C5^x^L||a \\S\\ b\r"
                + "OBX|7|NM|C6^x^L||<5\r");
        JsonNode observations = document.at("/patient_result/0/order_observation/0/observation");
        JsonNode nm = observations.at("/0/obx");
        assertThat(nm.get("observation_value").get(0).asText()).isEqualTo("98.60");
        assertThat(nm.at("/observation_value_typed/number").isDouble()).isTrue();
        assertThat(nm.at("/observation_value_typed/number").asDouble()).isEqualTo(98.6);
        JsonNode ce = observations.at("/1/obx");
        assertThat(ce.get("observation_value")).extracting(JsonNode::asText).containsExactly("Y^Yes^HL70136", "N^No^HL70136");
        assertThat(ce.at("/observation_value_typed/coded/identifier").asText()).isEqualTo("Y");
        assertThat(ce.at("/observation_value_typed/coded/name_of_coding_system").asText()).isEqualTo("HL70136");
        JsonNode sn = observations.at("/2/obx/observation_value_typed/structured_numeric");
        assertThat(sn.get("comparator").asText()).isEqualTo("<=");
        assertThat(sn.get("num1").asDouble()).isEqualTo(0.01);
        assertThat(observations.at("/3/obx/observation_value_typed/timestamp").asText()).isEqualTo("2026-11-02T07:30:15.000Z");
        JsonNode ed = observations.at("/4/obx/observation_value_typed/encapsulated");
        assertThat(ed.get("source_application").asText()).isEqualTo("LAB");
        assertThat(ed.get("data").asText()).isEqualTo("SGVsbG8=");
        assertThat(observations.at("/5/obx/observation_value/0").asText()).isEqualTo("a ^ b");
        assertThat(observations.at("/5/obx/observation_value_typed/text").asText()).isEqualTo("a ^ b");
        assertThat(observations.at("/6/obx/observation_value/0").asText()).isEqualTo("<5");
        assertThat(observations.at("/6/obx").has("observation_value_typed")).as("not a number: only the string").isFalse();
    }

    @Test
    void z_segments_go_to_one_root_array_wherever_hapi_placed_them() {
        JsonNode document = document("PID|1||ID1\rZPA|1|A^B\rOBR|1\rOBX|1|NM|C^x^L||5\rZOB|1|\"\"|x~y\r");
        JsonNode z = document.get("z_segments");
        assertThat(z).hasSize(2);
        assertThat(z.get(0).get("segment").asText()).isEqualTo("ZPA");
        assertThat(z.get(0).get("group").asText()).isEqualTo("patient_result.patient");
        assertThat(z.get(0).at("/fields/2.2").asText()).isEqualTo("B");
        assertThat(z.get(1).get("segment").asText()).isEqualTo("ZOB");
        assertThat(z.get(1).get("index").asInt()).isEqualTo(1);
        assertThat(z.get(1).get("group").asText()).isEqualTo("patient_result.order_observation.observation");
        assertThat(z.get(1).at("/fields/3[2]").asText()).isEqualTo("y");
        assertThat(document.at("/patient_result/0/patient").has("zpa")).isFalse();
    }

    private static Map<String, String> schema(String message) {
        Map<String, String> paths = new TreeMap<>();
        JsonNode document = Conversions.json(Conversions.convert(message.getBytes(StandardCharsets.UTF_8)));
        walk(document, "", paths);
        return paths;
    }

    @Test
    void a_v25_segment_where_the_structure_has_no_place_for_it_goes_to_z_segments_too() {
        // ADT_A01 takes OBX only before AL1/DG1, and no NTE at the root: HAPI adds them as "OBX2" and "NTE"
        JsonNode document = Conversions.json(Conversions.convert(("MSH|^~\\&|A|B|C|D|20261102083015||ADT^A01|S-9|P|2.5\r"
                + "EVN|A01|20261102083015\rPID|1||ID1^^^AUTH^MR||LAST^FIRST\rPV1|1|I\rOBX|1|NM|1^A^L||5|mg\r"
                + "DG1|1||R07^Pain^I10\rOBX|2|NM|2^B^L||6|mg\rNTE|1||a note\r").getBytes(StandardCharsets.UTF_8)));
        assertThat(document.has("obx2")).isFalse();
        assertThat(document.has("nte")).isFalse();
        assertThat(document.get("obx")).hasSize(1);
        JsonNode z = document.get("z_segments");
        assertThat(z).hasSize(2);
        assertThat(z.get(0).get("segment").asText()).isEqualTo("OBX");
        assertThat(z.get(0).get("index").asInt()).isEqualTo(2);
        assertThat(z.get(0).get("fields").get("5").asText()).isEqualTo("6");
        assertThat(z.get(0).get("fields").get("3.1").asText()).isEqualTo("2");
        assertThat(z.get(1).get("segment").asText()).isEqualTo("NTE");
        assertThat(z.get(1).get("fields").get("3").asText()).isEqualTo("a note");
    }

    private static void walk(JsonNode node, String path, Map<String, String> paths) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> walk(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), paths));
        } else if (node.isArray()) {
            paths.put(path, "array");
            node.forEach(element -> walk(element, path + "[]", paths));
        } else {
            paths.put(path, node.getNodeType().name());
        }
    }
}
