package hl7lake.inbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import hl7lake.local.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged engine, started as README.md starts it ({@code java -jar target/hl7lake.jar local}),
 * killed with SIGKILL in the middle of a drop file and started again on the same data: the lake
 * reads back, nothing that was cataloged before the kill is missing, and the file completes with
 * every message cataloged exactly once.
 */
class KillNineIT {

    @TempDir
    Path work;
    private int httpPort;

    @Test
    void a_kill_9_mid_file_loses_nothing_and_the_file_completes_exactly_once() throws Exception {
        int s3Port = FreePorts.find();
        int dynamoPort = FreePorts.find();
        httpPort = FreePorts.find();
        int count = 1500;
        Process engine = start(s3Port, dynamoPort);
        try (LakeProbe lake = new LakeProbe(URI.create("http://127.0.0.1:" + s3Port),
                URI.create("http://127.0.0.1:" + dynamoPort))) {
            awaitStarted();
            lake.drop("killed.hl7", LakeProbe.generated("KILLED", count));
            await().atMost(Duration.ofSeconds(120)).until(() -> InboxResilienceTest.done(lake, "KILLED") >= 100);
            Map<String, Integer> before = lake.cataloged();
            engine.destroyForcibly(); // SIGKILL: no shutdown hook, nothing flushed
            assertThat(engine.waitFor(30, TimeUnit.SECONDS)).isTrue();

            engine = start(s3Port, dynamoPort);
            awaitStarted();
            await().atMost(Duration.ofSeconds(240)).until(() -> lake.keys("raw/inbox/").isEmpty());
            InboxResilienceTest.assertExactlyOnce(lake, "KILLED", count);
            assertThat(lake.cataloged()).containsAllEntriesOf(before);
            List<String> staged = lake.keys("staging/");
            assertThat(staged).hasSize(count);
            ObjectMapper json = new ObjectMapper();
            for (String key : List.of(staged.get(0), staged.get(count / 2), staged.get(count - 1))) {
                byte[] document = lake.s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(key)).asByteArray();
                assertThat(json.readTree(document).at("/meta/message_id").asText()).isNotEmpty();
            }
        } finally {
            engine.destroy();
            engine.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Process start(int s3Port, int dynamoPort) throws Exception {
        Files.deleteIfExists(work.resolve("engine.log"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dhl7lake.local.s3-port=" + s3Port, "-Dhl7lake.local.dynamodb-port=" + dynamoPort,
                "-Dhl7lake.inbox.poll-millis=200", "-Dhl7lake.inbox.lease-seconds=2",
                "-Dhl7lake.http.port=" + httpPort, "-Dhl7lake.local.issuer-port=" + FreePorts.find(), "-Dhl7lake.mllp.port=" + FreePorts.find(),
                "-jar", Path.of("target", "hl7lake.jar").toAbsolutePath().toString(), "local"));
        return new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(new File(work.resolve("engine.log").toString())).start();
    }

    private void awaitStarted() throws Exception {
        Path log = work.resolve("engine.log");
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(log)
                    && Files.readString(log).contains("(hl7lake) started in"));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            String text = Files.exists(log) ? Files.readString(log) : "(no log)";
            throw new AssertionError("the engine did not start; its log:\n" + text.substring(Math.max(0, text.length() - 4000)), e);
        }
    }
}
