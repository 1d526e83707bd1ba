package hl7lake.convert;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.util.Terser;
import hl7lake.TestFiles;
import hl7lake.hl7.Ack;
import hl7lake.hl7.AckBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The ACK of every sample and seed message, accepted or rejected, parses with HAPI and answers that message. */
class AcksForSamplesTest {

    private static final AckBuilder ACKS = new AckBuilder(Conversions.PARSER.context(), Clock.systemUTC());

    static Stream<Arguments> messages() {
        List<Path> files = new ArrayList<>(TestFiles.acceptedSamples());
        files.addAll(TestFiles.invalidSamples());
        if (TestFiles.seedPresent()) {
            files.addAll(TestFiles.seedFiles());
        }
        List<Arguments> all = new ArrayList<>();
        for (Path file : files) {
            List<byte[]> messages = Conversions.messages(TestFiles.read(file));
            for (int i = 0; i < messages.size(); i++) {
                all.add(Arguments.of(file.getFileName() + "[" + i + "]", messages.get(i)));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void every_ack_parses_and_answers_the_message(String name, byte[] message) throws Exception {
        Conversion conversion = Conversions.convert(message);
        List<Ack> acks = conversion instanceof Conversion.Rejected rejected
                ? ACKS.answers(rejected.header(), rejected.rejection().acknowledgmentCode(), rejected.rejection())
                : ACKS.answers(conversion.header(), AcknowledgmentCode.AA, null);
        if (!conversion.header().enhancedMode()) {
            assertThat(acks).as("original mode: one ACK").hasSize(1);
        }
        for (Ack ack : acks) {
            assertThat(ack.minimal()).isFalse();
            Message parsed = Conversions.PARSER.context().getGenericParser().parse(ack.er7());
            Terser terser = new Terser(parsed);
            assertThat(terser.get("/MSA-2")).isEqualTo(emptyToNull(conversion.header().controlId()));
            assertThat(terser.get("/MSH-10")).isEqualTo(ack.controlId()).isNotEqualTo(conversion.header().controlId());
            assertThat(terser.get("/MSH-5")).isEqualTo(emptyToNull(conversion.header().sendingApplication().split("\\^")[0]));
            if (conversion instanceof Conversion.Rejected rejected && !ack.code().name().matches("AA|CA")) {
                assertThat(terser.get("/ERR-3-1")).isEqualTo(String.valueOf(rejected.rejection().code().getCode()));
                assertThat(terser.get("/MSA-1")).isIn("AE", "AR", "CE", "CR");
            } else {
                assertThat(terser.get("/MSA-1")).isIn("AA", "CA");
                assertThat(ack.er7()).doesNotContain("\rERR");
            }
        }
    }

    private static String emptyToNull(String value) {
        return value.isEmpty() ? null : value;
    }
}
