package hl7lake.convert;

import com.fasterxml.jackson.databind.JsonNode;
import hl7lake.TestFiles;
import hl7lake.hl7.Hl7Rejection;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every file in samples/ is classified as its name says: files in samples/ are accepted (with data
 * type warnings exactly when the name says "warnings"); each file in samples/invalid/ is named
 * {@code <code>_<location>_<what>.hl7} and is rejected with that code at that location, with a
 * reason that quotes nothing from the message.
 */
class SamplesTest {

    static List<Path> accepted() {
        return TestFiles.acceptedSamples();
    }

    static List<Path> invalid() {
        return TestFiles.invalidSamples();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void every_message_of_an_accepted_sample_is_accepted(Path file) {
        List<byte[]> messages = Conversions.messages(TestFiles.read(file));
        assertThat(messages).isNotEmpty();
        boolean warningsExpected = file.getFileName().toString().contains("warnings");
        for (byte[] message : messages) {
            Conversion.Accepted accepted = Conversions.accepted(Conversions.convert(message));
            assertThat(accepted.warningCount() > 0).as("warnings").isEqualTo(warningsExpected);
            JsonNode document = Conversions.json(accepted);
            assertThat(document.get("meta").get("structure").asText()).isEqualTo(accepted.metadata().structure());
            assertThat(document.has("msh")).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void each_invalid_sample_gets_its_code_and_location_and_a_reason_without_values(Path file) {
        String[] name = file.getFileName().toString().split("_", 3);
        int code = Integer.parseInt(name[0]);
        String location = name[1].replace("segment-", "segment ");
        byte[] bytes = TestFiles.read(file);
        List<byte[]> messages = Conversions.messages(bytes);
        assertThat(messages).hasSize(1);
        Conversion conversion = Conversions.convert(messages.get(0));
        assertThat(conversion).isInstanceOf(Conversion.Rejected.class);
        Hl7Rejection rejection = ((Conversion.Rejected) conversion).rejection();
        assertThat(rejection.code().getCode()).isEqualTo(code);
        assertThat(rejection.location()).hasToString(location);
        for (String value : Values.of(new String(bytes, StandardCharsets.ISO_8859_1))) {
            assertThat(rejection.reason()).doesNotContain(value);
        }
    }
}
