package hl7lake.http;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
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
            // a first start's key is made once the engine is ready, beside it
            Path key = data.resolve("issuer").resolve("signing-key.jwk.json");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.isRegularFile(key));
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

    @Test
    void a_first_starts_key_is_made_when_asked_for_and_its_jwks_waits_for_it() throws Exception {
        try (LocalIssuer issuer = LocalIssuer.start(data, 0)) {
            Path key = data.resolve("issuer").resolve("signing-key.jwk.json");
            assertThat(key).doesNotExist(); // nothing made before the engine is ready or a client asks
            HttpResponse<String> jwks = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(issuer.issuer() + "/.well-known/jwks.json")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(jwks.statusCode()).isEqualTo(200);
            RSAKey kept = RSAKey.parse(Files.readString(key));
            assertThat(JWKSet.parse(jwks.body()).getKeyByKeyId(kept.getKeyID())).isNotNull();
            issuer.prepareKey(); // once made, asking again changes nothing
            assertThat(RSAKey.parse(Files.readString(key)).getKeyID()).isEqualTo(kept.getKeyID());
        }
    }

    @Test
    void two_makers_at_once_end_with_one_key() throws Exception {
        for (int round = 0; round < 5; round++) {
            Path dir = data.resolve("round-" + round);
            ExecutorService two = Executors.newFixedThreadPool(2);
            try {
                CountDownLatch go = new CountDownLatch(1);
                Callable<RSAKey> maker = () -> {
                    go.await();
                    return LocalIssuer.loadOrCreate(dir);
                };
                Future<RSAKey> first = two.submit(maker);
                Future<RSAKey> second = two.submit(maker);
                go.countDown();
                RSAKey one = first.get();
                RSAKey other = second.get();
                String kept = RSAKey.parse(Files.readString(dir.resolve("issuer").resolve("signing-key.jwk.json")))
                        .getKeyID();
                assertThat(one.getKeyID()).isEqualTo(kept);
                assertThat(other.getKeyID()).isEqualTo(kept);
                try (var left = Files.list(dir.resolve("issuer"))) {
                    assertThat(left.map(p -> p.getFileName().toString())).containsExactly("signing-key.jwk.json");
                }
            } finally {
                two.shutdownNow();
            }
        }
    }
}
