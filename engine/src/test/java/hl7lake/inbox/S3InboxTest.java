package hl7lake.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hl7lake.Engine;
import hl7lake.TestFiles;
import hl7lake.catalog.CatalogTables;
import hl7lake.config.AwsClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Files dropped into raw/inbox/ of the engine's embedded lake, read back from S3 and DynamoDB with the SDK. */
class S3InboxTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CatalogTables TABLES = new CatalogTables("hl7lake-");
    private static Engine engine;
    private static S3Client s3;
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void start() throws Exception {
        engine = Engine.start(hl7lake.TestEngines.local(Map.of("hl7lake.inbox.poll-millis", "200")));
        s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1");
        dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1");
    }

    @AfterAll
    static void stop() {
        s3.close();
        dynamo.close();
        engine.close();
    }

    /** Drops a file and waits for its report; returns the report. */
    static JsonNode drop(String name, byte[] content) throws Exception {
        String key = "raw/inbox/" + name;
        s3.putObject(b -> b.bucket("hl7lake").key(key), RequestBody.fromBytes(content));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> report(name).isPresent());
        await().atMost(Duration.ofSeconds(10)).until(() -> list("raw/inbox/" + name).isEmpty());
        return report(name).orElseThrow();
    }

    static Optional<JsonNode> report(String name) throws Exception {
        java.util.regex.Pattern reportKey = java.util.regex.Pattern.compile("raw/files/.*/[0-9a-f-]{36}-"
                + java.util.regex.Pattern.quote(name.replaceAll("[^A-Za-z0-9._-]", "_")) + "\\.report\\.json");
        for (String key : list("raw/files/")) {
            if (reportKey.matcher(key).matches()) {
                return Optional.of(JSON.readTree(s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(key)).asByteArray()));
            }
        }
        return Optional.empty();
    }

    static List<String> list(String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket("hl7lake").prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }

    static List<Path> samples() {
        List<Path> files = new ArrayList<>(TestFiles.acceptedSamples());
        files.addAll(TestFiles.invalidSamples());
        if (TestFiles.seedPresent()) {
            files.addAll(TestFiles.seedFiles());
        }
        return files;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void a_dropped_file_is_ingested_archived_and_reported(Path file) throws Exception {
        String name = file.getParent().getFileName() + "-" + file.getFileName();
        byte[] content = TestFiles.read(file);
        JsonNode report = drop(name, content);
        String archiveKey = report.get("archive_key").asText();
        assertThat(archiveKey).matches("raw/files/\\d{4}/\\d{2}/\\d{2}/[0-9a-f-]{36}-.*");
        assertThat(s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(archiveKey)).asByteArray()).isEqualTo(content);
        int messages = report.at("/counts/messages").asInt();
        assertThat(messages).isPositive();
        boolean invalid = file.getParent().getFileName().toString().equals("invalid");
        assertThat(report.at("/counts/rejected").asInt()).isEqualTo(invalid ? messages : 0);
        for (JsonNode id : report.get("message_ids")) {
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(TABLES.messages()).consistentRead(true)
                    .key(Map.of("message_id", AttributeValue.fromS(id.asText())))).item();
            if (!item.get("raw_key").s().equals(archiveKey)) {
                // a message stored earlier from another file (the seed repeats messages): a duplicate
                assertThat(report.at("/counts/duplicates").asInt()).isPositive();
                continue;
            }
            long offset = Long.parseLong(item.get("raw_offset").n());
            long length = Long.parseLong(item.get("raw_length").n());
            byte[] range = s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(archiveKey)
                    .range("bytes=" + offset + "-" + (offset + length - 1))).asByteArray();
            assertThat(new String(range, java.nio.charset.StandardCharsets.ISO_8859_1)).startsWith("MSH");
            assertThat(list(item.get("staging_key").s())).hasSize(1);
        }
        for (JsonNode error : report.get("errors")) {
            assertThat(error.get("code").asInt()).isPositive();
            assertThat(error.get("reason").asText()).isNotBlank();
        }
    }

    @Test
    void a_batch_reports_its_envelope_and_messages() throws Exception {
        JsonNode report = drop("batch.hl7", TestFiles.read(TestFiles.SAMPLES.resolve("batch-fhs-bhs-3-oru.hl7")));
        assertThat(report.at("/counts/accepted").asInt()).isEqualTo(3);
        assertThat(report.at("/batch/file_control_id").asText()).isEqualTo("FILE-0001");
        assertThat(report.at("/batch/batch_control_ids/0").asText()).isEqualTo("BATCH-0001");
        assertThat(report.at("/batch/problems")).isEmpty();
        assertThat(report.get("message_ids")).hasSize(3);
    }

    @Test
    void an_empty_file_gets_a_report_that_says_so() throws Exception {
        JsonNode report = drop("empty.hl7", new byte[0]);
        assertThat(report.at("/counts/messages").asInt()).isZero();
        assertThat(report.at("/batch/problems/0").asText()).isEqualTo("no message found");
    }

    @Test
    void a_binary_file_is_one_rejected_fragment_kept_in_the_archive() throws Exception {
        byte[] binary = new byte[200_000];
        new Random(7).nextBytes(binary);
        JsonNode report = drop("binary.bin", binary);
        assertThat(report.at("/counts/accepted").asInt()).isZero();
        assertThat(report.at("/counts/rejected").asInt()).isEqualTo(report.at("/counts/messages").asInt()).isPositive();
    }

    @Test
    void a_broken_batch_envelope_is_reported_and_its_messages_still_ingested() throws Exception {
        String text = "BHS|^~\\&|A|B\rMSH|^~\\&|BRK|FAC|L|L|20261123||ADT^A08|BRK-1|P|2.5\rPID|1||BRK-1\rBTS|5\r";
        JsonNode report = drop("broken-batch.hl7", text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(report.at("/counts/accepted").asInt()).isEqualTo(1);
        assertThat(report.at("/batch/problems/0").asText()).isEqualTo("BTS-1 of batch 1 declares 5 but 1 were found");
    }

    @Test
    void the_same_file_dropped_again_creates_no_second_catalog_entry() throws Exception {
        byte[] content = "MSH|^~\\&|AGAIN|FAC|L|L|20261123||ADT^A08|AGAIN-1|P|2.5\rPID|1||AGAIN-1\r"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        JsonNode first = drop("again-1.hl7", content);
        JsonNode second = drop("again-2.hl7", content);
        assertThat(second.at("/counts/duplicates").asInt()).isEqualTo(1);
        assertThat(second.get("message_ids").get(0).asText()).isEqualTo(first.get("message_ids").get(0).asText());
    }
}
