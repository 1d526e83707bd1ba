package hl7lake.ingest;

import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import hl7lake.hl7.ContentHash;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hl7lake.Engine;
import hl7lake.TestFiles;
import hl7lake.catalog.CatalogTables;
import hl7lake.config.AwsClients;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Tag;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline route of the real engine in local mode, fed through direct:ingest; what landed is
 * read back from the embedded S3 and DynamoDB over their sockets with the AWS SDK.
 */
class IngestRouteTest {

    /** The contents the accepted-samples test has sent (terminators normalised, as the pipeline's claim). */
    private static final Set<String> ACCEPTED_CONTENT = ConcurrentHashMap.newKeySet();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Engine engine;
    private static ProducerTemplate template;
    private static S3Client s3;
    private static DynamoDbClient dynamo;
    private static final CatalogTables TABLES = new CatalogTables("hl7lake-");

    @BeforeAll
    static void start() throws Exception {
        engine = Engine.start(hl7lake.TestEngines.local(Map.of()));
        template = engine.camel().createProducerTemplate();
        s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1");
        dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1");
    }

    @AfterAll
    static void stop() {
        s3.close();
        dynamo.close();
        engine.close();
    }

    static Ingestion ingest(byte[] bytes) {
        return template.requestBody("direct:ingest", Inbound.of(bytes, "test", Instant.now()), Ingestion.class);
    }

    /** The pipeline's answer, which must be of {@code type}. */
    static <T extends Ingestion> T ingest(byte[] bytes, Class<T> type) {
        Ingestion done = ingest(bytes);
        assertThat(done).isInstanceOf(type);
        return type.cast(done);
    }

    static List<byte[]> messagesOf(Path file) {
        List<byte[]> messages = new ArrayList<>();
        new hl7lake.hl7.Er7StreamSplitter(new ByteArrayInputStream(TestFiles.read(file)), 10 << 20)
                .forEachRemaining(m -> messages.add(m.bytes()));
        return messages;
    }

    static List<Path> accepted() {
        List<Path> files = new ArrayList<>(TestFiles.acceptedSamples());
        if (TestFiles.seedPresent()) {
            files.addAll(TestFiles.seedFiles());
        }
        return files;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void an_accepted_message_lands_in_raw_staging_and_the_catalog(Path file) throws Exception {
        for (byte[] bytes : messagesOf(file)) {
            Ingestion.Accepted done = ingest(bytes, Ingestion.Accepted.class);
            assertThat(done.outcome()).isEqualTo(Outcome.ACCEPTED);
            // the seed's files repeat some messages: a content seen before is answered as the first copy
            assertThat(done.duplicate()).isEqualTo(!ACCEPTED_CONTENT.add(ContentHash.sha256(bytes)));
            String id = done.messageId();
            assertThat(done.rawKey()).matches("raw/hl7v2/\\d{4}/\\d{2}/\\d{2}/" + id + "\\.hl7");
            assertThat(object(done.rawKey())).isEqualTo(bytes);

            String structure = done.metadata().structure();
            assertThat(done.stagingKey()).matches("staging/hl7v2/" + structure + "/day=\\d{4}-\\d{2}-\\d{2}/" + id + "\\.json");
            var staged = s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(done.stagingKey()));
            assertThat(staged.response().contentType()).isEqualTo("application/json");
            assertThat(staged.response().metadata()).containsEntry("data_src", done.rawKey());
            assertThat(s3.getObjectTagging(b -> b.bucket("hl7lake").key(done.stagingKey())).tagSet())
                    .containsExactly(Tag.builder().key("data_src").value(done.rawKey()).build());
            JsonNode document = JSON.readTree(staged.asByteArray());
            assertThat(document.at("/meta/message_id").asText()).isEqualTo(id);
            assertThat(document.at("/meta/raw").asText()).isEqualTo("s3://hl7lake/" + done.rawKey());
            assertThat(document.at("/meta/door").asText()).isEqualTo("test");

            Map<String, AttributeValue> item = item(TABLES.messages(), "message_id", id);
            assertThat(item.get("staging_key").s()).isEqualTo(done.stagingKey());
            assertThat(item.get("raw_key").s()).isEqualTo(done.rawKey());
            assertThat(item.get("structure").s()).isEqualTo(structure);
            if (done.patient().uuid() != null) {
                assertThat(item.get("patient_uuid").s()).isEqualTo(done.patient().uuid());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hl7lake.TestFiles#invalidSamples")
    void a_rejected_message_lands_as_received_in_the_error_zone_with_a_record_that_says_why(Path file) {
        byte[] bytes = messagesOf(file).get(0);
        Ingestion.Rejected done = ingest(bytes, Ingestion.Rejected.class);
        assertThat(done.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(done.errorKey()).matches("error/hl7v2/day=\\d{4}-\\d{2}-\\d{2}/" + done.messageId() + "\\.hl7");
        assertThat(object(done.errorKey())).isEqualTo(bytes);
        assertThat(object(done.rawKey())).isEqualTo(bytes);
        Map<String, AttributeValue> error = item(TABLES.errors(), "error_id", done.messageId());
        String[] name = file.getFileName().toString().split("_", 3);
        assertThat(error.get("code").n()).isEqualTo(name[0]);
        assertThat(error.get("location").s()).isEqualTo(name[1].replace("segment-", "segment "));
        assertThat(error.get("error_key").s()).isEqualTo(done.errorKey());
        assertThat(error.get("reason").s()).isNotBlank();
    }

    @Test
    void the_same_bytes_again_are_answered_as_the_first_time_with_no_second_entry() {
        byte[] bytes = "MSH|^~\\&|DUP|FAC|L|L|20261123||ADT^A08|DUP-1|P|2.5\rPID|1||DUP-MRN^^^FAC^MR||TEST^DUP\r"
                .getBytes(StandardCharsets.US_ASCII);
        Ingestion.Accepted first = ingest(bytes, Ingestion.Accepted.class);
        Ingestion.Accepted again = ingest(bytes, Ingestion.Accepted.class);
        assertThat(again.duplicate()).isTrue();
        assertThat(again.outcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(again.messageId()).isEqualTo(first.messageId());
        assertThat(again.stagingKey()).isEqualTo(first.stagingKey());
        assertThat(bySenderControl("DUP|FAC|DUP-1")).hasSize(1);
    }

    @Test
    void a_rejected_message_sent_again_is_answered_with_the_first_rejection_and_nothing_written_again() {
        byte[] bytes = "MSH|^~\\&|DUPREJ|FAC|L|L|20261123||ADT^A08|DUPREJ-1|P|9.9\rPID|1||X\r"
                .getBytes(StandardCharsets.US_ASCII);
        Ingestion.Rejected first = ingest(bytes, Ingestion.Rejected.class);
        Ingestion.Rejected again = ingest(bytes, Ingestion.Rejected.class);
        assertThat(first.duplicate()).isFalse();
        assertThat(again.duplicate()).isTrue();
        assertThat(again.messageId()).isEqualTo(first.messageId());
        assertThat(again.errorKey()).isEqualTo(first.errorKey());
        assertThat(again.rejection().code()).isEqualTo(first.rejection().code());
        assertThat(again.rejection().location().toString()).isEqualTo(first.rejection().location().toString());
        assertThat(s3.listObjectsV2(b -> b.bucket("hl7lake").prefix("error/")).contents())
                .filteredOn(o -> o.key().contains(first.messageId())).hasSize(1);
    }

    @Test
    void a_reused_control_id_with_other_content_is_a_new_message_flagged() {
        Ingestion first = ingest("MSH|^~\\&|RE|FAC|L|L|20261123||ADT^A08|REUSED-1|P|2.5\rPID|1||A\r".getBytes(StandardCharsets.US_ASCII));
        Ingestion second = ingest("MSH|^~\\&|RE|FAC|L|L|20261123||ADT^A08|REUSED-1|P|2.5\rPID|1||B\r".getBytes(StandardCharsets.US_ASCII));
        assertThat(second.messageId()).isNotEqualTo(first.messageId());
        assertThat(item(TABLES.messages(), "message_id", second.messageId()).get("control_id_reused").bool()).isTrue();
        assertThat(item(TABLES.messages(), "message_id", first.messageId())).doesNotContainKey("control_id_reused");
    }

    @Test
    void storage_down_is_a_transient_failure_and_the_resend_is_stored_once() {
        byte[] bytes = "MSH|^~\\&|OUT|FAC|L|L|20261123||ADT^A08|OUTAGE-1|P|2.5\rPID|1||OUT-MRN^^^FAC^MR\r"
                .getBytes(StandardCharsets.US_ASCII);
        engine.local().stopS3();
        Ingestion.NotStored failed;
        try {
            failed = ingest(bytes, Ingestion.NotStored.class);
        } finally {
            engine.local().startS3();
        }
        assertThat(failed.outcome()).isEqualTo(Outcome.TRANSIENT_FAILURE);
        assertThat(failed.failure()).isNotBlank();
        assertThat(bySenderControl("OUT|FAC|OUTAGE-1")).isEmpty();

        Ingestion resent = ingest(bytes);
        assertThat(resent.outcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(resent.duplicate()).isFalse();
        assertThat(ingest(bytes).duplicate()).isTrue();
        assertThat(bySenderControl("OUT|FAC|OUTAGE-1")).hasSize(1);
    }

    private static byte[] object(String key) {
        return s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(key)).asByteArray();
    }

    private static Map<String, AttributeValue> item(String table, String keyName, String key) {
        return dynamo.getItem(b -> b.tableName(table).key(Map.of(keyName, AttributeValue.fromS(key))).consistentRead(true)).item();
    }

    private static List<Map<String, AttributeValue>> bySenderControl(String senderControl) {
        return dynamo.query(q -> q.tableName(TABLES.messages()).indexName(CatalogTables.CONTROL_INDEX)
                .keyConditionExpression("sender_control = :s")
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(senderControl)))).items();
    }
}
