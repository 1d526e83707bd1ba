package hl7lake.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hl7lake.Engine;
import hl7lake.TestEngines;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A drop file uploaded again under the same key while its first version is being ingested: only the
 * version ingested leaves the inbox; the new one is ingested next. Both versions' messages are
 * cataloged once each, each version has its own archive (its exact bytes) and report (its ETag).
 */
class InboxReplacedFileTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void a_file_replaced_while_it_is_ingested_is_ingested_next() throws Exception {
        try (Engine engine = Engine.start(TestEngines.local(Map.of("hl7lake.inbox.poll-millis", "200")));
             LakeProbe lake = new LakeProbe(engine.local().s3Endpoint(), engine.local().dynamoEndpoint())) {
            byte[] first = LakeProbe.generated("FIRSTVERSION", 3000);
            byte[] second = LakeProbe.generated("SECONDVERSION", 40);
            lake.drop("x.hl7", first);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                    .until(() -> InboxResilienceTest.done(lake, "FIRSTVERSION") >= 1);
            lake.drop("x.hl7", second);
            assertThat(reports(lake)).as("the first version was still being ingested when the second arrived").isEmpty();

            await().atMost(Duration.ofSeconds(240)).until(() -> reports(lake).size() == 2 && lake.keys("raw/inbox/").isEmpty());
            Map<String, Integer> cataloged = lake.cataloged();
            for (int i = 0; i < 3000; i++) {
                assertThat(cataloged.get("FIRSTVERSION-" + i)).as("FIRSTVERSION-" + i).isEqualTo(1);
            }
            for (int i = 0; i < 40; i++) {
                assertThat(cataloged.get("SECONDVERSION-" + i)).as("SECONDVERSION-" + i).isEqualTo(1);
            }
            Map<String, byte[]> byEtag = Map.of(md5(first), first, md5(second), second);
            List<String> etags = new ArrayList<>();
            for (JsonNode report : reports(lake)) {
                String etag = report.get("etag").asText();
                etags.add(etag);
                assertThat(byEtag).containsKey(etag);
                byte[] archived = lake.s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(report.get("archive_key").asText()))
                        .asByteArray();
                assertThat(archived).isEqualTo(byEtag.get(etag));
                assertThat(report.at("/counts/accepted").asInt()).isEqualTo(etag.equals(md5(first)) ? 3000 : 40);
                assertThat(report.at("/counts/duplicates").asInt()).isZero();
            }
            assertThat(etags).containsExactlyInAnyOrder(md5(first), md5(second));
        }
    }

    static List<JsonNode> reports(LakeProbe lake) throws Exception {
        List<JsonNode> reports = new ArrayList<>();
        for (String key : lake.keys("raw/files/")) {
            if (key.endsWith(".report.json")) {
                reports.add(JSON.readTree(lake.s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(key)).asByteArray()));
            }
        }
        return reports;
    }

    private static String md5(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }
}
