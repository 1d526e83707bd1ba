package hl7lake.convert;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Arrays exactly where v2.5 allows repetition, whatever the message holds: one structure, one schema. */
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

    private static Map<String, String> schema(String message) {
        Map<String, String> paths = new TreeMap<>();
        JsonNode document = Conversions.json(Conversions.convert(message.getBytes(StandardCharsets.UTF_8)));
        walk(document, "", paths);
        return paths;
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
