package hl7lake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hl7lake.TestFiles;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code convert FILE...}, as an analyst runs it: one JSON line per message, exit code by outcome. */
class ConvertCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Run(int status, List<JsonNode> lines, String err) {
    }

    private static Run run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ConvertCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        List<JsonNode> lines = out.toString(StandardCharsets.UTF_8).lines().map(line -> {
            try {
                return JSON.readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
        }).toList();
        return new Run(status, lines, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void a_batch_file_prints_one_document_per_message_and_exits_0() throws Exception {
        Run run = run(TestFiles.SAMPLES.resolve("batch-fhs-bhs-3-oru.hl7").toString());
        assertThat(run.status()).isZero();
        assertThat(run.lines()).hasSize(3).allSatisfy(line -> assertThat(line.at("/meta/structure").asText()).isEqualTo("ORU_R01"));
        assertThat(run.lines()).extracting(line -> line.at("/msh/message_control_id").asText())
                .containsExactly("BATCH-ORU-0001", "BATCH-ORU-0002", "BATCH-ORU-0003");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void a_rejected_message_prints_its_code_location_reason_and_control_id_and_exits_1() throws Exception {
        Run run = run(TestFiles.SAMPLES.resolve("adt-a04-v2.7.hl7").toString(),
                TestFiles.INVALID.resolve("201_MSH-9.2_unknown-trigger-event.hl7").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.lines()).hasSize(2);
        JsonNode rejected = run.lines().get(1).get("rejected");
        assertThat(rejected.get("code").asInt()).isEqualTo(201);
        assertThat(rejected.get("location").asText()).isEqualTo("MSH-9.2");
        assertThat(rejected.get("reason").asText()).isNotBlank();
        assertThat(rejected.get("control_id").asText()).isEqualTo("INV-0008");
    }

    @Test
    void the_profile_can_be_chosen() throws Exception {
        String file = TestFiles.SAMPLES.resolve("adt-a08-v2.3-datatype-warnings.hl7").toString();
        assertThat(run(file).status()).isZero();
        Run strict = run("--profile", "strict", file);
        assertThat(strict.status()).isEqualTo(1);
        assertThat(strict.lines().get(0).at("/rejected/code").asInt()).isEqualTo(102);
    }

    @Test
    void batch_envelope_problems_go_to_stderr_not_into_the_json() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("bad-batch", ".hl7");
        java.nio.file.Files.writeString(file, "BHS|^~\\&\rMSH|^~\\&|A|B|C|D|2026||ADT^A01|1|P|2.5\rPID|1\rBTS|2\r");
        Run run = run(file.toString());
        assertThat(run.lines()).hasSize(1);
        assertThat(run.err()).contains("BTS-1 of batch 1 declares 2 but 1 were found");
        java.nio.file.Files.delete(file);
    }

    @Test
    void a_missing_file_or_no_file_is_a_usage_error() throws Exception {
        assertThat(run("no-such-file.hl7").status()).isEqualTo(2);
        assertThat(run().status()).isEqualTo(2);
    }
}
