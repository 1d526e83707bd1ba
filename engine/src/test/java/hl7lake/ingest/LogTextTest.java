package hl7lake.ingest;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogTextTest {

    @Test
    void a_long_value_is_cut_to_its_first_characters_and_its_length() {
        String capped = LogText.cap("C".repeat(500_000));
        assertThat(capped).startsWith("C".repeat(LogText.MAX)).endsWith("…(500000 chars)").hasSizeLessThan(LogText.MAX + 20);
    }

    @Test
    void control_characters_cannot_forge_a_log_line_and_short_values_are_kept() {
        assertThat(LogText.cap("ID-1\r\n2026 INFO forged")).isEqualTo("ID-1??2026 INFO forged");
        assertThat(LogText.cap("ADT-A04-0001")).isEqualTo("ADT-A04-0001");
        assertThat(LogText.cap(null)).isEqualTo("?");
    }
}
