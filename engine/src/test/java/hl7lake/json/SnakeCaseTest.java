package hl7lake.json;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class SnakeCaseTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "Set ID - PID, set_id_pid", "Patient Identifier List, patient_identifier_list",
        "Date/Time of Message, date_time_of_message", "Message Control ID, message_control_id",
        "Insured's Employee ID, insured_s_employee_id",
    })
    void field_names_from_words(String words, String key) {
        assertThat(SnakeCase.ofWords(words)).isEqualTo(key);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "FamilyName, family_name", "IDNumber, id_number", "GivenName, given_name", "NamespaceID, namespace_id",
        "SuffixEgJRorIII, suffix_eg_jr_or_iii", "Surname, surname", "TelecommunicationUseCode, telecommunication_use_code",
    })
    void component_names_from_hapi_getters(String camel, String key) {
        assertThat(SnakeCase.ofCamelCase(camel)).isEqualTo(key);
    }
}
