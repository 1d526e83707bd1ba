package hl7lake;

import hl7lake.config.AwsClients;
import hl7lake.local.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged jar as README.md runs it: {@code java -jar target/hl7lake.jar local} in a fresh
 * directory (free ports instead of the defaults, so that the test never collides with anything):
 * /observe/health turns ready, a dropped file lands in staging, SIGTERM stops it cleanly, and the
 * lake is under ./data.
 */
class PackagedJarIT {

    @TempDir
    Path work;

    @Test
    void the_jar_starts_turns_ready_ingests_a_drop_file_and_stops_on_sigterm() throws Exception {
        int s3Port = FreePorts.find();
        int httpPort = FreePorts.find();
        long started = System.nanoTime();
        Process engine = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dhl7lake.local.s3-port=" + s3Port, "-Dhl7lake.local.dynamodb-port=" + FreePorts.find(),
                "-Dhl7lake.http.port=" + httpPort, "-Dhl7lake.inbox.poll-millis=200",
                "-jar", Path.of("target", "hl7lake.jar").toAbsolutePath().toString(), "local")
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(new File(work.resolve("engine.log").toString()))
                .start();
        HttpClient http = HttpClient.newHttpClient();
        try (S3Client s3 = AwsClients.s3(URI.create("http://127.0.0.1:" + s3Port), "us-east-1")) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() ->
                    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/observe/health")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            System.out.printf("start to ready: %d ms%n", (System.nanoTime() - started) / 1_000_000);

            s3.putObject(b -> b.bucket("hl7lake").key("raw/inbox/adt.hl7"),
                    RequestBody.fromFile(Path.of("samples", "adt-a04-v2.7.hl7")));
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    !s3.listObjectsV2(b -> b.bucket("hl7lake").prefix("staging/hl7v2/ADT_A01/")).contents().isEmpty());
        } finally {
            engine.destroy(); // SIGTERM, as Ctrl+C or docker stop
            assertThat(engine.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        String log = Files.readString(work.resolve("engine.log"));
        assertThat(log).contains("(hl7lake) shutdown in");
        assertThat(Files.isDirectory(work.resolve("data").resolve("s3"))).isTrue();
        assertThat(Files.isDirectory(work.resolve("data").resolve("dynamodb"))).isTrue();
        for (String name : List.of("TESTPATIENT", "DELTA", "MRN-2000002")) {
            assertThat(log).as("no patient data in the log").doesNotContain(name);
        }
    }
}
