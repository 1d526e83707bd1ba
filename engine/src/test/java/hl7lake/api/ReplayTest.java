package hl7lake.api;

import com.fasterxml.jackson.databind.JsonNode;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.TestFiles;
import hl7lake.TestHttp;
import hl7lake.config.EngineSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static hl7lake.TestHttp.ok;
import static hl7lake.TestHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fix, then replay: a message rejected under the strict profile, replayed (POST
 * /api/errors/{id}/replay) by an engine on the same lake under the standard profile, is accepted,
 * linked both ways, cataloged once, and a second replay answers the first result.
 */
class ReplayTest {

    /** Data type violations: warnings under standard, AE 102 under strict. */
    private static final Path SAMPLE = TestFiles.SAMPLES.resolve("adt-a08-v2.3-datatype-warnings.hl7");


    @Test
    void rejected_under_strict_then_replayed_under_standard_is_accepted_linked_both_ways_and_cataloged_once(@TempDir Path dir)
            throws Exception {
        byte[] bytes = TestFiles.read(SAMPLE);
        String errorId;
        EngineSettings strict = TestEngines.onDisk(dir, "strict");
        try (Engine engine = Engine.start(strict)) {
            String base = "http://127.0.0.1:" + strict.number("hl7lake.http.port");
            HttpResponse<byte[]> sent = send(base, engine.issuer().token("interface", Duration.ofMinutes(5), false),
                    "POST", "/hl7v2/er7", bytes);
            assertThat(sent.statusCode()).isEqualTo(400);
            JsonNode rejection = TestHttp.JSON.readTree(sent.body());
            assertThat(rejection.get("code").asInt()).isEqualTo(102);
            errorId = rejection.get("error_id").asText();
        }
        EngineSettings standard = TestEngines.onDisk(dir, "standard");
        try (Engine engine = Engine.start(standard)) {
            String base = "http://127.0.0.1:" + standard.number("hl7lake.http.port");
            String operator = engine.issuer().token("ops", Duration.ofMinutes(5), false, List.of("operator"));
            String reader = engine.issuer().token("analyst", Duration.ofMinutes(5), false, List.of("reader"));
            String replay = "/api/errors/" + errorId + "/replay";

            HttpResponse<byte[]> asReader = send(base, reader, "POST", replay, null);
            assertThat(asReader.statusCode()).isEqualTo(403);
            assertThat(TestHttp.JSON.readTree(asReader.body()).get("reason").asText()).contains("operator");
            assertThat(ok(send(base, reader, "GET", "/api/errors/" + errorId, null)).has("replayed_as"))
                    .as("a refused replay changes nothing").isFalse();

            JsonNode first = ok(send(base, operator, "POST", replay, null));
            assertThat(first.get("outcome").asText()).isEqualTo("accepted");
            assertThat(first.get("replayed_before").asBoolean()).isFalse();
            String messageId = first.get("message_id").asText();
            assertThat(messageId).isNotEqualTo(errorId);

            JsonNode record = ok(send(base, reader, "GET", "/api/messages/" + messageId, null));
            assertThat(record.get("replay_of").asText()).isEqualTo(errorId);
            JsonNode error = ok(send(base, reader, "GET", "/api/errors/" + errorId, null));
            assertThat(error.get("replayed_as").asText()).isEqualTo(messageId);
            HttpResponse<byte[]> raw = send(base, reader, "GET", "/api/messages/" + messageId + "?view=raw", null);
            assertThat(raw.body()).isEqualTo(bytes);

            JsonNode again = ok(send(base, operator, "POST", replay, null));
            assertThat(again.get("message_id").asText()).isEqualTo(messageId);
            assertThat(again.get("outcome").asText()).isEqualTo("accepted");
            assertThat(again.get("replayed_before").asBoolean()).isTrue();

            // the sender resends the bytes: answered as the replay stands (accepted, its id), nothing stored again
            HttpResponse<byte[]> resent = send(base, engine.issuer().token("interface", Duration.ofMinutes(5), false),
                    "POST", "/hl7v2/er7", bytes);
            assertThat(resent.statusCode()).as(new String(resent.body(), StandardCharsets.UTF_8)).isEqualTo(200);
            assertThat(TestHttp.JSON.readTree(resent.body()).get("message_id").asText()).isEqualTo(messageId);
            assertThat(TestHttp.JSON.readTree(resent.body()).get("duplicate").asBoolean()).isTrue();

            String sender = URLEncoder.encode(record.get("sending_application").asText() + "|"
                    + record.get("sending_facility").asText(), StandardCharsets.UTF_8);
            JsonNode cataloged = ok(send(base, reader, "GET", "/api/messages?sender=" + sender + "&control_id="
                    + URLEncoder.encode(record.get("control_id").asText(), StandardCharsets.UTF_8), null));
            assertThat(cataloged.get("items")).hasSize(1);
            assertThat(cataloged.get("items").get(0).get("message_id").asText()).isEqualTo(messageId);
            assertThat(ok(send(base, reader, "GET", "/api/counts", null)).get("days").get(0).get("doors").get("http")
                    .get("accepted").asInt()).isEqualTo(1);
        }
    }

    @Test
    void a_resend_after_a_replay_rejected_again_is_answered_with_the_new_rejection(@TempDir Path dir) throws Exception {
        byte[] bytes = TestFiles.read(SAMPLE);
        EngineSettings strict = TestEngines.onDisk(dir, "strict");
        try (Engine engine = Engine.start(strict)) {
            String base = "http://127.0.0.1:" + strict.number("hl7lake.http.port");
            String sender = engine.issuer().token("interface", Duration.ofMinutes(5), false);
            HttpResponse<byte[]> sent = send(base, sender, "POST", "/hl7v2/er7", bytes);
            assertThat(sent.statusCode()).isEqualTo(400);
            String errorId = TestHttp.JSON.readTree(sent.body()).get("error_id").asText();

            String operator = engine.issuer().token("ops", Duration.ofMinutes(5), false, List.of("operator"));
            JsonNode replayed = ok(send(base, operator, "POST", "/api/errors/" + errorId + "/replay", null));
            assertThat(replayed.get("outcome").asText()).isEqualTo("rejected");
            String again = replayed.get("message_id").asText();
            assertThat(again).isNotEqualTo(errorId);

            HttpResponse<byte[]> resent = send(base, sender, "POST", "/hl7v2/er7", bytes);
            assertThat(resent.statusCode()).isEqualTo(400);
            JsonNode answer = TestHttp.JSON.readTree(resent.body());
            assertThat(answer.get("error_id").asText()).isEqualTo(again);
            assertThat(answer.get("code").asInt()).isEqualTo(102);
            assertThat(answer.get("duplicate").asBoolean()).isTrue();
            String reader = engine.issuer().token("analyst", Duration.ofMinutes(5), false, List.of("reader"));
            JsonNode rejected = ok(send(base, reader, "GET", "/api/counts", null)).get("days").get(0).get("doors");
            assertThat(rejected.toString()).as("two errors: the first copy and its replay; the resend stores none")
                    .contains("\"rejected\":2");
        }
    }
}
