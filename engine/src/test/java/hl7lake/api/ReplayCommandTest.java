package hl7lake.api;

import com.fasterxml.jackson.databind.JsonNode;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.TestFiles;
import hl7lake.catalog.CatalogTables;
import hl7lake.cli.ReplayCommand;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.local.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static hl7lake.TestHttp.JSON;
import static hl7lake.TestHttp.json;
import static hl7lake.TestHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code replay --from --to [--code]}: errors rejected under the strict profile, replayed by the
 * command under the standard profile through the same {@link Replayer} as the HTTP replay, with the
 * engine stopped (the command opens the lake) and running (it works through the engine's ports):
 * accepted and linked both ways, the days and the code bounding what is replayed, a message rejected
 * again becomes one new error that the run does not replay, a second run answers every first result
 * and catalogs nothing, and an error whose bytes are gone is named with status 1.
 */
class ReplayCommandTest {

    private static final CatalogTables TABLES = new CatalogTables("hl7lake-");
    /** Data type violations: warnings under standard, AE 102 under strict. */
    private static final byte[] WARNINGS = TestFiles.read(TestFiles.SAMPLES.resolve("adt-a08-v2.3-datatype-warnings.hl7"));
    /** Rejected under every profile: 203. */
    private static final byte[] UNSUPPORTED = TestFiles.read(TestFiles.INVALID.resolve("203_MSH-12.1_unsupported-version.hl7"));
    private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);

    @TempDir
    Path data;

    private final String s3Port = Integer.toString(FreePorts.find());
    private final String dynamoPort = Integer.toString(FreePorts.find());

    /** One lake under {@code data} on fixed ports, so the command finds a running engine's, or opens it itself. */
    private EngineSettings settings(String profile) {
        Map<String, String> settings = new HashMap<>(Map.of("hl7lake.local.in-memory", "false",
                "hl7lake.local.data-dir", data.toString(), "hl7lake.mllp.enabled", "false", "hl7lake.inbox.enabled", "false",
                "hl7lake.validation.profile", profile, "hl7lake.local.s3-port", s3Port, "hl7lake.local.dynamodb-port", dynamoPort));
        return TestEngines.local(settings);
    }

    @Test
    void rejected_under_strict_then_replayed_by_the_command_under_standard() throws Exception {
        byte[][] sent = {unique(WARNINGS, "a1"), unique(WARNINGS, "a2"), unique(WARNINGS, "a3"), unique(UNSUPPORTED, "b"),
                unique(UNSUPPORTED, "c")};
        String[] errors = new String[sent.length];
        LocalDate yesterday = TODAY.minusDays(1);
        EngineSettings strict = settings("strict");
        try (Engine engine = Engine.start(strict);
             DynamoDbClient dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1")) {
            String base = "http://127.0.0.1:" + strict.number("hl7lake.http.port");
            String sender = engine.issuer().token("interface", Duration.ofMinutes(5), false);
            for (int i = 0; i < sent.length; i++) {
                HttpResponse<byte[]> answer = send(base, sender, "POST", "/hl7v2/er7", sent[i]);
                assertThat(answer.statusCode()).isEqualTo(400);
                errors[i] = JSON.readTree(answer.body()).get("error_id").asText();
            }
            // a3 arrived yesterday, as far as the catalog knows
            dynamo.updateItem(b -> b.tableName(TABLES.errors()).key(Map.of("error_id", AttributeValue.fromS(errors[2])))
                    .updateExpression("SET #d = :d, received_at = :r").expressionAttributeNames(Map.of("#d", "day"))
                    .expressionAttributeValues(Map.of(":d", AttributeValue.fromS(yesterday.toString()),
                            ":r", AttributeValue.fromS(yesterday + "T12:00:00Z"))));
        }
        String a1 = errors[0];
        String a2 = errors[1];
        String a3 = errors[2];
        String b = errors[3];
        String c = errors[4];
        EngineSettings standard = settings("standard");

        // the engine stopped: today's errors of code 102 only; yesterday's and the 203s are not touched
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(run(out, standard, "--mode", "local", "--from", TODAY.toString(), "--code", "102")).as(text(out)).isZero();
        assertThat(text(out)).contains("the engine is not running", "under the standard profile",
                "done: 2 errors seen: 2 accepted, 0 rejected again (each a new error), 0 replayed before");

        try (Engine engine = Engine.start(standard);
             DynamoDbClient dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1");
             S3Client s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1")) {
            String base = "http://127.0.0.1:" + standard.number("hl7lake.http.port");
            String reader = engine.issuer().token("analyst", Duration.ofMinutes(5), false, List.of("reader", "operator"));
            for (String error : List.of(a1, a2)) {
                assertReplayedAndLinked(base, reader, error, sent[error.equals(a1) ? 0 : 1]);
            }
            for (String error : List.of(a3, b, c)) {
                assertThat(json(base, reader, "/api/errors/" + error).has("replayed_as")).as(error).isFalse();
            }
            long messagesBefore = count(dynamo, TABLES.messages());
            long errorsBefore = count(dynamo, TABLES.errors());

            // c's bytes are gone from the error zone: it cannot be replayed, the others are, status 1
            String gone = json(base, reader, "/api/errors/" + c).get("error_key").asText();
            s3.deleteObject(d -> d.bucket("hl7lake").key(gone));
            out.reset();
            assertThat(run(out, standard, "--mode", "local", "--from", yesterday.toString(), "--to", TODAY.toString()))
                    .as(text(out)).isEqualTo(1);
            assertThat(text(out)).contains("working through it", "error " + c + " could not be replayed",
                    "done: 5 errors seen: 1 accepted, 1 rejected again (each a new error), 2 replayed before "
                            + "(their first result answered), 0 themselves a replay's result (not replayed), 1 could not be replayed");
            assertReplayedAndLinked(base, reader, a3, sent[2]);
            JsonNode again = json(base, reader, "/api/errors/" + b);
            String newError = again.get("replayed_as").asText();
            assertThat(text(out)).contains("error " + b + " rejected again: new error " + newError + ", code 203");
            JsonNode rejected = json(base, reader, "/api/errors/" + newError);
            assertThat(rejected.get("replay_of").asText()).isEqualTo(b);
            assertThat(rejected.get("code").asInt()).isEqualTo(203);
            assertThat(rejected.has("replayed_as")).as("the run did not replay its own new error").isFalse();
            assertThat(count(dynamo, TABLES.messages())).isEqualTo(messagesBefore + 1);
            assertThat(count(dynamo, TABLES.errors())).isEqualTo(errorsBefore + 1);
            JsonNode audit = json(base, reader, "/api/audit?day=" + TODAY + "&limit=1000");
            assertThat(StreamSupport.stream(audit.get("items").spliterator(), false)
                    .filter(entry -> "replay command".equals(entry.get("endpoint").asText()))
                    .map(entry -> entry.get("ids").get("error_ids").get(0).asText()))
                    .contains(a1, a2, a3, b);

            // a second run answers the first results and catalogs nothing; the new error is a replay's result
            out.reset();
            assertThat(run(out, standard, "--mode", "local", "--from", yesterday.toString(), "--to", TODAY.toString(),
                    "--code", "102")).as(text(out)).isZero();
            assertThat(text(out)).contains("done: 3 errors seen: 0 accepted, 0 rejected again (each a new error), 3 replayed before");
            out.reset();
            assertThat(run(out, standard, "--mode", "local", "--from", yesterday.toString(), "--to", TODAY.toString()))
                    .as(text(out)).isEqualTo(1);
            assertThat(text(out)).contains("done: 6 errors seen: 0 accepted, 0 rejected again (each a new error), "
                    + "4 replayed before (their first result answered), 1 themselves a replay's result (not replayed), "
                    + "1 could not be replayed");
            assertThat(count(dynamo, TABLES.messages())).isEqualTo(messagesBefore + 1);
            assertThat(count(dynamo, TABLES.errors())).isEqualTo(errorsBefore + 1);
            for (String error : List.of(a1, a2, a3)) {
                assertReplayedAndLinked(base, reader, error, sent[List.of(a1, a2, a3).indexOf(error)]);
            }
        }
    }

    @Test
    void usage_errors_are_answered_with_status_2() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(run(out, settings("standard"), "--mode", "local")).isEqualTo(2);
        assertThat(text(out)).contains("--from and --to are days");
        out.reset();
        assertThat(run(out, settings("standard"), "--mode", "local", "--from", "2026-11-03", "--to", "2026-11-01")).isEqualTo(2);
        assertThat(text(out)).contains("is before --from");
        out.reset();
        assertThat(run(out, settings("standard"), "--mode", "local", "--from", "2026-11-03", "--code", "AE")).isEqualTo(2);
        assertThat(text(out)).contains("--code is an HL7 table 0357 code");
        out.reset();
        assertThat(run(out, settings("standard"), "--mode", "local", "--day", "2026-11-03")).isEqualTo(2);
        assertThat(text(out)).contains("replay: unknown option --day").contains("usage: replay");
        out.reset();
        assertThat(run(out, settings("standard"), "--mode", "local", "--from")).isEqualTo(2);
        assertThat(text(out)).contains("replay: --from needs a value").contains("usage: replay");
        out.reset();
        assertThat(run(out, settings("standard"), "--mode", "elsewhere", "--from", "2026-11-03")).isEqualTo(2);
        assertThat(text(out)).contains("replay: which lake? --mode local");
    }

    /** The error names the message its replay stored, which names the error, was accepted and keeps the exact bytes. */
    private static void assertReplayedAndLinked(String base, String token, String errorId, byte[] bytes) throws Exception {
        String messageId = json(base, token, "/api/errors/" + errorId).get("replayed_as").asText();
        JsonNode message = json(base, token, "/api/messages/" + messageId);
        assertThat(message.get("replay_of").asText()).isEqualTo(errorId);
        HttpResponse<byte[]> raw = send(base, token, "GET", "/api/messages/" + messageId + "?view=raw", null);
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.body()).isEqualTo(bytes);
    }

    private static long count(DynamoDbClient dynamo, String table) {
        return dynamo.scanPaginator(s -> s.tableName(table).select("COUNT")).stream().mapToLong(p -> p.count()).sum();
    }

    /** {@code message} with MSH-10 made unique by {@code suffix}, every other byte as it was. */
    private static byte[] unique(byte[] message, String suffix) {
        String text = new String(message, StandardCharsets.ISO_8859_1); // one char per byte, both ways
        int at = text.indexOf("MSH") + 3;
        char separator = text.charAt(at);
        for (int field = 2; field <= 10; field++) {
            at = text.indexOf(separator, at + 1);
        }
        return (text.substring(0, at) + "-" + suffix + text.substring(at)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static int run(ByteArrayOutputStream out, EngineSettings settings, String... args) throws Exception {
        try (PrintStream err = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            return ReplayCommand.run(args, settings, err);
        }
    }

    private static String text(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.UTF_8);
    }
}
