package hl7lake.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

class OptionsTest {

    @Test
    void values_flags_and_repeated_options_are_read_and_defaults_fill_the_rest() throws Exception {
        Options options = Options.parse(new String[] {"--day", "2026-11-28", "--role", "reader", "--id", "--role", "operator",
                "--day", "2026-11-29"}, List.of("--day", "--role", "--to"), List.of("--id"));
        assertThat(options.text("--day", null)).isEqualTo("2026-11-29"); // the last wins
        assertThat(options.all("--role")).containsExactly("reader", "operator");
        assertThat(options.has("--id")).isTrue();
        assertThat(options.has("--to")).isFalse();
        assertThat(options.text("--to", "same day")).isEqualTo("same day");
        assertThat(options.number("--threads", 8, 1)).isEqualTo(8);
    }

    @Test
    void a_wrong_command_line_is_a_usage_error_that_names_the_option() {
        assertThatThrownBy(() -> Options.parse(new String[] {"--dya", "2026-11-28"}, "--day"))
                .isInstanceOf(Options.Usage.class).hasMessage("unknown option --dya");
        assertThatThrownBy(() -> Options.parse(new String[] {"--day"}, "--day"))
                .isInstanceOf(Options.Usage.class).hasMessage("--day needs a value");
        assertThatThrownBy(() -> Options.parse(new String[] {"--threads", "eight"}, "--threads").number("--threads", 8, 1))
                .isInstanceOf(Options.Usage.class).hasMessage("--threads is a whole number of at least 1, not eight");
        assertThatThrownBy(() -> Options.parse(new String[] {"--threads", "0"}, "--threads").number("--threads", 8, 1))
                .isInstanceOf(Options.Usage.class).hasMessageContaining("at least 1");
    }

    @Test
    void any_number_is_taken_at_or_above_its_minimum_and_refused_below() {
        qt().forAll(integers().between(-1_000_000, 1_000_000), integers().between(-5, 5)).checkAssert((value, min) -> {
            Options options;
            try {
                options = Options.parse(new String[] {"--n", Integer.toString(value)}, "--n");
            } catch (Options.Usage e) {
                throw new AssertionError(e);
            }
            if (value >= min) {
                try {
                    assertThat(options.number("--n", 0, min)).isEqualTo(value);
                } catch (Options.Usage e) {
                    throw new AssertionError(e);
                }
            } else {
                assertThatThrownBy(() -> options.number("--n", 0, min)).isInstanceOf(Options.Usage.class);
            }
        });
    }

    @Test
    void any_argument_that_is_not_an_option_it_takes_is_refused_by_name() {
        qt().forAll(strings().basicLatinAlphabet().ofLengthBetween(1, 12)).assuming(arg -> !arg.equals("--n"))
                .checkAssert(arg -> assertThatThrownBy(() -> Options.parse(new String[] {arg, "1"}, "--n"))
                        .isInstanceOf(Options.Usage.class).hasMessage("unknown option " + arg));
    }
}
