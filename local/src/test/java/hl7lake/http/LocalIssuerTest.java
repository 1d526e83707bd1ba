package hl7lake.http;

import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.cli.TokenCommand;
import hl7lake.config.EngineSettings;
import hl7lake.local.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Local mode's own issuer: a key kept under the data directory, the documented token command, and none in AWS mode. */
class LocalIssuerTest {

    @TempDir
    Path data;

    @Test
    void the_token_command_prints_a_token_the_local_engine_accepts_and_aws_mode_has_no_local_issuer() throws Exception {
        Map<String, String> local = Map.of("hl7lake.local.in-memory", "false", "hl7lake.local.data-dir", data.toString(),
                "hl7lake.inbox.enabled", "false", "hl7lake.local.issuer-port", Integer.toString(FreePorts.find()));
        EngineSettings settings = TestEngines.local(local);
        try (Engine engine = Engine.start(settings)) {
            Path key = data.resolve("issuer").resolve("signing-key.jwk.json");
            assertThat(key).isRegularFile();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertThat(TokenCommand.run(new String[] {"--user", "alice", "--minutes", "5"}, settings,
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))).isZero();
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("valid for 5 minutes");
            String token = out.toString(StandardCharsets.UTF_8).trim();
            URI door = URI.create("http://127.0.0.1:" + settings.number("hl7lake.http.port") + "/hl7v2/er7");
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(door)
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/hl7-v2")
                    .POST(HttpRequest.BodyPublishers.ofString(HttpDoorTest.adt("LOCAL-1"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            String idToken = engine.issuer().token("bob", Duration.ofMinutes(1), true);
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(door)
                    .header("Authorization", idToken).header("Content-Type", "application/hl7-v2")
                    .POST(HttpRequest.BodyPublishers.ofString(HttpDoorTest.adt("LOCAL-2"))).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            EngineSettings aws = TestEngines.with(Map.of("hl7lake.mode", "aws", "hl7lake.http.door.enabled", "true",
                    "hl7lake.aws.s3-endpoint", engine.local().s3Endpoint().toString(),
                    "hl7lake.aws.dynamodb-endpoint", engine.local().dynamoEndpoint().toString()));
            assertThatThrownBy(() -> Engine.start(aws)).hasMessageContaining("hl7lake.http.auth.issuer");
        }
    }
}
