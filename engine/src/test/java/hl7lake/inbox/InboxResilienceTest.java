package hl7lake.inbox;

import hl7lake.Engine;
import hl7lake.config.EngineSettings;
import hl7lake.local.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A drop file survives what happens to the engines working on it: a stop in the middle, two
 * engines on one inbox (a kill -9: {@code KillNineIT}). Afterwards every message is cataloged
 * exactly once.
 */
class InboxResilienceTest {

    private static Map<String, String> local(Path data, int s3Port, int dynamoPort) {
        return Map.of("hl7lake.mode", "local", "hl7lake.local.data-dir", data.toString(),
                "hl7lake.local.s3-port", Integer.toString(s3Port), "hl7lake.local.dynamodb-port", Integer.toString(dynamoPort),
                "hl7lake.inbox.poll-millis", "200", "hl7lake.inbox.lease-seconds", "2");
    }

    static void assertExactlyOnce(LakeProbe lake, String tag, int count) {
        Map<String, Integer> cataloged = lake.cataloged();
        for (int i = 0; i < count; i++) {
            assertThat(cataloged.get(tag + "-" + i)).as(tag + "-" + i).isEqualTo(1);
        }
        assertThat(lake.keys("raw/inbox/")).isEmpty();
        assertThat(lake.keys("raw/files/")).anyMatch(k -> k.endsWith(".report.json"));
    }

    static int done(LakeProbe lake, String tag) {
        return (int) lake.cataloged().keySet().stream().filter(id -> id.startsWith(tag + "-")).count();
    }

    @Test
    void a_file_interrupted_by_a_stop_completes_after_the_restart_with_no_duplicates(@TempDir Path data) throws Exception {
        int s3Port = FreePorts.find();
        int dynamoPort = FreePorts.find();
        int count = 1500;
        try (Engine first = Engine.start(hl7lake.TestEngines.with(local(data, s3Port, dynamoPort)));
             LakeProbe lake = new LakeProbe(first.local().s3Endpoint(), first.local().dynamoEndpoint())) {
            lake.drop("restart.hl7", LakeProbe.generated("RESTART", count));
            await().atMost(Duration.ofSeconds(120)).until(() -> done(lake, "RESTART") >= 100);
        }
        try (Engine second = Engine.start(hl7lake.TestEngines.with(local(data, s3Port, dynamoPort)));
             LakeProbe lake = new LakeProbe(second.local().s3Endpoint(), second.local().dynamoEndpoint())) {
            await().atMost(Duration.ofSeconds(240)).until(() -> lake.keys("raw/inbox/").isEmpty());
            assertExactlyOnce(lake, "RESTART", count);
        }
    }

    @Test
    void two_engines_on_one_inbox_catalog_every_message_exactly_once() throws Exception {
        try (Engine first = Engine.start(hl7lake.TestEngines.local(Map.of("hl7lake.inbox.poll-millis", "100",
                "hl7lake.inbox.lease-seconds", "5")));
             Engine second = Engine.start(hl7lake.TestEngines.with(Map.of("hl7lake.mode", "aws",
                     "hl7lake.aws.s3-endpoint", first.local().s3Endpoint().toString(),
                     "hl7lake.aws.dynamodb-endpoint", first.local().dynamoEndpoint().toString(),
                     "hl7lake.inbox.poll-millis", "100", "hl7lake.inbox.lease-seconds", "5")));
             LakeProbe lake = new LakeProbe(first.local().s3Endpoint(), first.local().dynamoEndpoint())) {
            for (int f = 0; f < 6; f++) {
                lake.drop("shared-" + f + ".hl7", LakeProbe.generated("SHARED" + f, 200));
            }
            await().atMost(Duration.ofSeconds(180)).until(() -> lake.keys("raw/inbox/").isEmpty()
                    && lake.keys("raw/files/").stream().filter(k -> k.endsWith(".report.json")).count() == 6);
            for (int f = 0; f < 6; f++) {
                assertExactlyOnce(lake, "SHARED" + f, 200);
            }
        }
    }
}
