package hl7lake.hl7;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorLocationTest {

    @ParameterizedTest(name = "{6}")
    @CsvSource({
        "MSH, 1, 9, 0, 0, 0, MSH-9",
        "PID, 1, 3, 2, 4, 0, PID-3[2].4",
        "PID, 1, 5, 1, 1, 1, PID-5.1.1",
        "OBX, 3, 5, 0, 0, 0, OBX(3)-5",
        "'',  3, 0, 0, 0, 0, segment 3",
        "'',  0, 0, 0, 0, 0, message",
        "DG1, 2, 0, 0, 0, 0, DG1(2)",
    })
    void prints_the_usual_hl7_notation(String segment, int sequence, int field, int rep, int component,
                                       int sub, String expected) {
        assertThat(new ErrorLocation(segment, sequence, field, rep, component, sub)).hasToString(expected);
    }
}
