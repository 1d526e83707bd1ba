package hl7lake.hl7;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class Er7StreamSplitterTest {

    private static final String A = "MSH|^~\\&|A|B|C|D|2026||ADT^A01|1|P|2.5";
    private static final String B = "MSH|^~\\&|A|B|C|D|2026||ADT^A08|2|P|2.5";

    private record Split(List<SplitMessage> messages, BatchSummary summary) {
        List<String> texts() {
            return messages.stream().map(m -> m.bytes() == null ? "<oversize>" : new String(m.bytes(), StandardCharsets.ISO_8859_1)).toList();
        }
    }

    private static Split split(String text, int limit) {
        Er7StreamSplitter splitter = new Er7StreamSplitter(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), limit);
        List<SplitMessage> messages = new ArrayList<>();
        splitter.forEachRemaining(messages::add);
        return new Split(messages, splitter.summary());
    }

    @ParameterizedTest(name = "segments separated by {0}")
    @ValueSource(strings = {"\r", "\n", "\r\n"})
    void any_line_ending_gives_cr_separated_messages(String eol) {
        String text = A + eol + "PID|1" + eol + eol + B + eol + "PID|2" + eol;
        assertThat(split(text, 1 << 20).texts()).containsExactly(A + "\rPID|1", B + "\rPID|2");
    }

    @Test
    void each_message_knows_the_exact_bytes_it_came_from() {
        String text = "\n\n" + A + "\r\nPID|1\r\n\r\n" + B + "\nPID|2";
        for (SplitMessage message : split(text, 1 << 20).messages()) {
            String original = text.substring((int) message.offset(), (int) (message.offset() + message.length()));
            assertThat(original.replaceAll("[\r\n]+", "\r").strip())
                    .isEqualTo(new String(message.bytes(), StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void a_byte_order_mark_opening_a_file_is_not_part_of_its_first_message() {
        String text = "\u00EF\u00BB\u00BF" + A + "\rPID|1\r" + B + "\rPID|2\r";
        Split split = split(text, 1 << 20);
        assertThat(split.texts()).containsExactly(A + "\rPID|1", B + "\rPID|2");
        assertThat(split.messages().get(0).offset()).isEqualTo(3);
        assertThat(text.substring(3, 3 + (int) split.messages().get(0).length())).startsWith(A);
    }

    @Test
    void batch_envelope_counts_that_match_are_no_problem_and_ids_are_kept() {
        String text = "FHS|^~\\&|A|B|C|D|2026||f.hl7||FILE-1\rBHS|^~\\&|A|B|C|D|2026||||BATCH-1\r"
                + A + "\rPID|1\r" + B + "\rPID|2\rBTS|2\rFTS|1\r";
        Split split = split(text, 1 << 20);
        assertThat(split.messages()).hasSize(2).allMatch(m -> "BATCH-1".equals(m.batchControlId()));
        assertThat(split.summary().fileControlId()).isEqualTo("FILE-1");
        assertThat(split.summary().batchControlIds()).containsExactly("BATCH-1");
        assertThat(split.summary().problems()).isEmpty();
    }

    @Test
    void batch_counts_that_do_not_match_are_reported() {
        String text = "FHS|^~\\&\rBHS|^~\\&\r" + A + "\rBTS|3\rBHS|^~\\&\r" + B + "\rFTS|1\r";
        assertThat(split(text, 1 << 20).summary().problems()).containsExactly(
                "BTS-1 of batch 1 declares 3 but 1 were found",
                "batch 2 has no BTS before the FTS",
                "FTS-1 declares 1 but 2 were found");
    }

    @Test
    void a_header_without_its_trailer_is_reported() {
        assertThat(split("FHS|^~\\&\rBHS|^~\\&\r" + A + "\r", 1 << 20).summary().problems())
                .containsExactly("batch 1 has no BTS", "the file has an FHS but no FTS");
    }

    @Test
    void text_before_the_first_msh_is_handed_on_as_a_fragment_never_dropped() {
        Split split = split("garbage line\rPID|1\r" + A + "\r", 1 << 20);
        assertThat(split.messages()).hasSize(2);
        assertThat(split.messages().get(0).fragment()).isTrue();
        assertThat(split.messages().get(1).fragment()).isFalse();
    }

    @Test
    void an_oversize_message_keeps_its_position_and_the_next_one_is_intact() {
        char[] big = new char[5000];
        Arrays.fill(big, 'X');
        String first = A + "\rOBX|1|ED|||" + new String(big) + "\r";
        String text = first + B + "\rPID|2\r";
        Split split = split(text, 1000);
        assertThat(split.messages()).hasSize(2);
        SplitMessage oversize = split.messages().get(0);
        assertThat(oversize.oversize()).isTrue();
        assertThat(oversize.bytes()).isNull();
        assertThat(oversize.offset()).isZero();
        assertThat(oversize.length()).isEqualTo(first.length());
        assertThat(split.texts().get(1)).isEqualTo(B + "\rPID|2");
    }

    @Test
    void empty_input_yields_nothing() {
        assertThat(split("", 1000).messages()).isEmpty();
        assertThat(split("\r\n\n   \n", 1000).messages()).isEmpty();
    }
}
