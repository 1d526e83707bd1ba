package hl7lake.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.catalog.CatalogTables;
import hl7lake.cli.FreezingProxy;
import hl7lake.config.AwsClients;
import hl7lake.local.EmbeddedDynamoDb;
import hl7lake.local.s3.LocalS3Server;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The drop folder's life cycle through its routes (routes/s3-inbox.yaml): discovered by the aws2-s3
 * consumer, claimed per version, archived, split into the pipeline, reported, removed from the inbox
 * and completed; released with a back-off when storage fails in the middle of a file, then finished
 * once it answers; shared by two engines with each file ingested once.
 */
class DropFolderRouteTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CatalogTables TABLES = new CatalogTables("hl7lake-");

    static Map<String, AttributeValue> claim(DynamoDbClient dynamo, String key, String etag) {
        return dynamo.getItem(b -> b.tableName(TABLES.claims()).consistentRead(true)
                .key(Map.of("claim_id", AttributeValue.fromS("file#" + key + "#" + etag.replace("\"", ""))))).item();
    }

    static List<JsonNode> reports(LakeProbe lake) throws Exception {
        return InboxReplacedFileTest.reports(lake);
    }

    @Test
    void a_file_is_claimed_archived_split_reported_removed_and_completed_by_the_routes() throws Exception {
        try (Engine engine = Engine.start(TestEngines.local(Map.of("hl7lake.inbox.poll-millis", "200")));
             LakeProbe lake = new LakeProbe(engine.local().s3Endpoint(), engine.local().dynamoEndpoint())) {
            assertThat(engine.camel().getRoute("s3-inbox-poll")).isNotNull();
            assertThat(engine.camel().getRoute("drop-file")).isNotNull();
            assertThat(engine.camel().getRoute("s3-inbox-events")).as("no queue in local mode").isNull();
            NotifyBuilder file = new NotifyBuilder(engine.camel()).fromRoute("s3-inbox-poll").whenCompleted(1).create();

            byte[] content = LakeProbe.generated("LIFECYCLE", 25);
            String etag = lake.s3.putObject(b -> b.bucket("hl7lake").key("raw/inbox/life.hl7"), RequestBody.fromBytes(content))
                    .eTag();
            await().atMost(Duration.ofSeconds(60)).until(() -> claim(lake.dynamo, "raw/inbox/life.hl7", etag)
                    .getOrDefault("state", AttributeValue.fromS("")).s().equals("done"));
            assertThat(file.matches(10, TimeUnit.SECONDS)).as("the file went through the routes").isTrue();

            // claim: done for good, with its report
            Map<String, AttributeValue> claim = claim(lake.dynamo, "raw/inbox/life.hl7", etag);
            assertThat(claim.get("state").s()).isEqualTo("done");
            assertThat(claim.get("owner").s()).startsWith("engine-");
            String reportKey = claim.get("report_key").s();
            // archive: the exact bytes; report beside it; every message's raw object is the archive
            JsonNode report = JSON.readTree(lake.s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(reportKey)).asByteArray());
            String archiveKey = report.get("archive_key").asText();
            assertThat(reportKey).isEqualTo(archiveKey + ".report.json");
            assertThat(archiveKey).endsWith("-life.hl7").contains(claim.get("file_id").s());
            assertThat(lake.s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(archiveKey)).asByteArray()).isEqualTo(content);
            assertThat(report.at("/counts/accepted").asInt()).isEqualTo(25);
            assertThat(report.get("etag").asText()).isEqualTo(etag.replace("\"", ""));
            assertThat(lake.dynamo.scan(b -> b.tableName(TABLES.messages())).items())
                    .allSatisfy(item -> assertThat(item.get("raw_key").s()).isEqualTo(archiveKey));
            // removed from the inbox
            assertThat(lake.keys("raw/inbox/")).isEmpty();
            InboxResilienceTest.assertExactlyOnce(lake, "LIFECYCLE", 25);
        }
    }

    /**
     * Bounded memory: whenever a message of the file is handed to the pipeline, the messages read
     * from the file but not yet counted in its report stay within twice the split's threads and a
     * few (parallelism 4 here) for a file of 3,000: the split reads as the workers take, it never
     * reads the file ahead (with streaming off it would read all 3,000 first).
     */
    @Test
    void the_split_reads_a_file_no_further_ahead_than_its_workers() throws Exception {
        try (Engine engine = Engine.start(TestEngines.local(Map.of("hl7lake.inbox.poll-millis", "200",
                "hl7lake.inbox.parallelism", "4")));
             LakeProbe lake = new LakeProbe(engine.local().s3Endpoint(), engine.local().dynamoEndpoint())) {
            AtomicInteger ahead = new AtomicInteger();
            AtomicInteger seen = new AtomicInteger();
            EventNotifierSupport probe = new EventNotifierSupport() {
                @Override
                public void notify(CamelEvent event) {
                    if (event instanceof CamelEvent.ExchangeSendingEvent sending
                            && sending.getEndpoint().getEndpointUri().startsWith("direct://ingest")) {
                        DropFile file = sending.getExchange().getProperty(DropFiles.FILE, DropFile.class);
                        if (file != null && file.messages() != null) {
                            seen.incrementAndGet();
                            ahead.accumulateAndGet(file.messages().read() - file.report().messages(), Math::max);
                        }
                    }
                }
            };
            probe.start();
            engine.camel().getManagementStrategy().addEventNotifier(probe);
            lake.drop("long.hl7", LakeProbe.generated("AHEAD", 3000));
            await().atMost(Duration.ofSeconds(180)).until(() -> lake.keys("raw/inbox/").isEmpty());
            assertThat(seen.get()).isEqualTo(3000);
            assertThat(ahead.get()).as("messages read but not yet counted").isPositive().isLessThanOrEqualTo(2 * 4 + 4);
        }
    }

    @Test
    void storage_failing_mid_file_releases_the_claim_and_the_file_completes_once_storage_answers(@TempDir Path dir)
            throws Exception {
        try (LocalS3Server s3Server = LocalS3Server.start(0, dir.resolve("s3"));
             EmbeddedDynamoDb dynamoServer = EmbeddedDynamoDb.start(0, null);
             FreezingProxy s3 = new FreezingProxy(s3Server.endpoint())) {
            s3Server.createBucket("hl7lake");
            try (DynamoDbClient catalog = AwsClients.dynamo(dynamoServer.endpoint(), "us-east-1")) {
                TABLES.createMissing(catalog);
            }
            try (Engine engine = Engine.start(TestEngines.with(Map.of("hl7lake.mode", "aws",
                    "hl7lake.aws.s3-endpoint", s3.endpoint().toString(),
                    "hl7lake.aws.dynamodb-endpoint", dynamoServer.endpoint().toString(),
                    "hl7lake.storage.deadline-seconds", "2", "hl7lake.inbox.poll-millis", "200")));
                 LakeProbe lake = new LakeProbe(s3Server.endpoint(), dynamoServer.endpoint())) {
                int count = 3000;
                String etag = lake.s3.putObject(b -> b.bucket("hl7lake").key("raw/inbox/failing.hl7"),
                        RequestBody.fromBytes(LakeProbe.generated("FAILING", count))).eTag();
                await().atMost(Duration.ofSeconds(120)).until(() -> InboxResilienceTest.done(lake, "FAILING") >= 50);

                s3.freeze();
                // the messages in flight miss their deadline: the split stops, the claim is released
                await().atMost(Duration.ofSeconds(60)).until(() -> claim(lake.dynamo, "raw/inbox/failing.hl7", etag)
                        .containsKey("retry_after"));
                Map<String, AttributeValue> released = claim(lake.dynamo, "raw/inbox/failing.hl7", etag);
                assertThat(released.get("attempts").n()).isEqualTo("1");
                assertThat(released.get("lease_until").n()).isEqualTo("0");
                assertThat(released).doesNotContainKey("state");
                assertThat(lake.keys("raw/inbox/")).containsExactly("raw/inbox/failing.hl7");
                assertThat(reports(lake)).as("no report for a file that is not finished").isEmpty();

                s3.thaw();
                await().atMost(Duration.ofSeconds(240)).until(() -> lake.keys("raw/inbox/").isEmpty());
                Map<String, AttributeValue> done = claim(lake.dynamo, "raw/inbox/failing.hl7", etag);
                assertThat(done.get("state").s()).isEqualTo("done");
                assertThat(done.get("file_id").s()).isEqualTo(released.get("file_id").s());
                InboxResilienceTest.assertExactlyOnce(lake, "FAILING", count);
                List<JsonNode> reports = reports(lake);
                assertThat(reports).hasSize(1);
                assertThat(reports.get(0).at("/counts/messages").asInt()).isEqualTo(count);
                assertThat(reports.get(0).at("/counts/accepted").asInt()).isEqualTo(count);
                assertThat(reports.get(0).at("/counts/duplicates").asInt()).isPositive();
            }
        }
    }

    @Test
    void two_engines_on_one_inbox_ingest_each_file_once() throws Exception {
        try (Engine first = Engine.start(TestEngines.local(Map.of("hl7lake.inbox.poll-millis", "100",
                "hl7lake.inbox.lease-seconds", "5")));
             Engine second = Engine.start(TestEngines.with(Map.of("hl7lake.mode", "aws",
                     "hl7lake.aws.s3-endpoint", first.local().s3Endpoint().toString(),
                     "hl7lake.aws.dynamodb-endpoint", first.local().dynamoEndpoint().toString(),
                     "hl7lake.inbox.poll-millis", "100", "hl7lake.inbox.lease-seconds", "5")));
             LakeProbe lake = new LakeProbe(first.local().s3Endpoint(), first.local().dynamoEndpoint())) {
            NotifyBuilder byFirst = new NotifyBuilder(first.camel()).fromRoute("s3-inbox-poll").whenCompleted(1).create();
            NotifyBuilder bySecond = new NotifyBuilder(second.camel()).fromRoute("s3-inbox-poll").whenCompleted(1).create();
            int files = 12;
            for (int f = 0; f < files; f++) {
                lake.drop("two-" + f + ".hl7", LakeProbe.generated("TWO" + f, 60));
            }
            await().atMost(Duration.ofSeconds(180)).until(() -> lake.keys("raw/inbox/").isEmpty()
                    && reports(lake).size() >= files);
            assertThat(byFirst.matches(1, TimeUnit.SECONDS) && bySecond.matches(1, TimeUnit.SECONDS))
                    .as("both engines discovered files").isTrue();
            List<JsonNode> reports = reports(lake);
            assertThat(reports).hasSize(files);
            assertThat(reports.stream().map(r -> r.get("file").asText()).distinct()).hasSize(files);
            assertThat(lake.keys("raw/files/").stream().filter(k -> !k.endsWith(".report.json"))).hasSize(files);
            for (int f = 0; f < files; f++) {
                InboxResilienceTest.assertExactlyOnce(lake, "TWO" + f, 60);
            }
        }
    }
}
