package hl7lake.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.catalog.CatalogLimits;
import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.MessageIndex;
import hl7lake.catalog.MessageRecord;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.mllp.MllpSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.awaitility.Awaitility.await;

/**
 * Messages that reach DynamoDB's limits (a transaction holds 100 items, a sort key 1,024 bytes, a
 * partition key 2,048) through the real engine on its embedded lake, over MLLP, HTTP and the drop
 * folder: each gets a definite answer, never AR 207 / 503; the catalog has exactly one entry for it
 * (message or error); an accepted message has every patient link; a resend gets the same answer and
 * makes no second entry.
 */
class StoreLimitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CatalogTables TABLES = new CatalogTables("hl7lake-");
    private static final int MAX_IDS = 1000;

    private static Engine engine;
    private static int mllpPort;
    private static URI door;
    private static DynamoDbClient dynamo;
    private static S3Client s3;
    private static MessageIndex index;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        EngineSettings settings = TestEngines.local(Map.of("hl7lake.inbox.poll-millis", "200",
                "hl7lake.catalog.max-patient-identifiers", Integer.toString(MAX_IDS)));
        mllpPort = settings.number("hl7lake.mllp.port");
        door = URI.create("http://127.0.0.1:" + settings.number("hl7lake.http.port") + "/hl7v2/er7");
        engine = Engine.start(settings);
        dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1");
        s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1");
        index = new MessageIndex(dynamo, TABLES);
        TestEngines.awaitListening(mllpPort);
    }

    @AfterAll
    static void stop() {
        dynamo.close();
        s3.close();
        engine.close();
    }

    /** An ADT^A08 from sender LIMITS|FAC with these PID-3 repetitions. */
    static String adt(String controlId, List<String> identifiers) {
        return "MSH|^~\\&|LIMITS|FAC|HL7LAKE|LAKE|20261127101500||ADT^A08^ADT_A01|" + controlId + "|P|2.5\r"
                + "EVN|A08|20261127101500\rPID|1||" + String.join("~", identifiers) + "||TESTPATIENT^LIMITS||19800101|F\r"
                + "PV1|1|O\r";
    }

    static List<String> identifiers(String run, int count) {
        return IntStream.range(0, count).mapToObj(i -> "MRN-" + run + "-" + i + "^^^FAC^MR").toList();
    }

    static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** MSA-1 and, when there is one, ERR-2 and ERR-3 of the ACK to {@code message}. */
    static Map<String, String> send(String message) throws Exception {
        try (MllpSocket socket = new MllpSocket(mllpPort)) {
            socket.write(MllpSocket.frame(message));
            String ack = socket.read();
            assertThat(ack).as("an answer").isNotNull();
            Map<String, String> codes = new java.util.HashMap<>();
            for (String segment : ack.split("\r")) {
                String[] fields = segment.split("\\|", -1);
                if (fields[0].equals("MSA")) {
                    codes.put("MSA-1", fields[1]);
                    codes.put("MSA-3", fields.length > 3 ? fields[3] : "");
                }
                if (fields[0].equals("ERR") && fields.length > 3) {
                    codes.put("ERR-2", fields[2]);
                    codes.put("ERR-3", fields[3].split("\\^")[0]);
                }
            }
            return codes;
        }
    }

    static List<Map<String, AttributeValue>> messages(String controlId) {
        return index.bySenderControl(MessageRecord.senderControl("LIMITS", "FAC", controlId));
    }

    /** Error records for this control id (as the record keeps it: whole, or its hash when too long). */
    static List<Map<String, AttributeValue>> errors(String controlId) {
        return dynamo.scanPaginator(b -> b.tableName(TABLES.errors()).filterExpression("control_id = :c")
                        .expressionAttributeValues(Map.of(":c", AttributeValue.fromS(CatalogLimits.value(controlId)))))
                .items().stream().toList();
    }

    /** The local ids (keys) the cross-reference holds for a patient. */
    static Set<String> linked(String uuid) {
        return dynamo.queryPaginator(b -> b.tableName(TABLES.patientIds()).keyConditionExpression("#u = :u")
                        .expressionAttributeNames(Map.of("#u", "uuid"))
                        .expressionAttributeValues(Map.of(":u", AttributeValue.fromS(uuid))).consistentRead(true))
                .items().stream().map(item -> item.get("local_id").s()).collect(Collectors.toSet());
    }

    static Set<String> keysOf(List<String> identifiers) {
        return identifiers.stream().map(cx -> {
            String[] c = cx.split("\\^", -1);
            return CatalogLimits.key(c[3] + "#" + c[4] + "#" + c[0]);
        }).collect(Collectors.toSet());
    }

    private static void assertAcceptedOnceWithEveryLink(String controlId, String message, List<String> identifiers)
            throws Exception {
        assertThat(send(message)).containsEntry("MSA-1", "AA");
        List<Map<String, AttributeValue>> entries = messages(controlId);
        assertThat(entries).hasSize(1);
        assertThat(errors(controlId)).isEmpty();
        Map<String, AttributeValue> entry = entries.get(0);
        assertThat(entry.get("control_id").s()).isEqualTo(controlId);
        assertThat(linked(entry.get("patient_uuid").s())).isEqualTo(keysOf(identifiers));

        assertThat(send(message)).as("the resend").containsEntry("MSA-1", "AA");
        assertThat(messages(controlId)).hasSize(1);
        assertThat(errors(controlId)).isEmpty();
    }

    @ParameterizedTest(name = "{0} identifiers")
    @ValueSource(ints = {1, 99, 100, 101, MAX_IDS})
    void a_message_with_many_patient_identifiers_is_accepted_once_with_every_link(int count) throws Exception {
        String run = run();
        String controlId = "IDS-" + count + "-" + run;
        List<String> identifiers = identifiers(run, count);
        assertAcceptedOnceWithEveryLink(controlId, adt(controlId, identifiers), identifiers);
    }

    @Test
    void an_identifier_of_2_kb_is_keyed_by_its_hash_and_kept_whole() throws Exception {
        String run = run();
        String controlId = "LONG-ID-" + run;
        String longId = "L" + run + "X".repeat(2048);
        List<String> identifiers = List.of(longId + "^^^FAC^MR", "MRN-" + run + "^^^FAC^MR");
        assertAcceptedOnceWithEveryLink(controlId, adt(controlId, identifiers), identifiers);
        String key = CatalogLimits.key("FAC#MR#" + longId);
        assertThat(key).startsWith("sha256#").hasSizeLessThan(100);
        var items = dynamo.query(b -> b.tableName(TABLES.patientIds()).indexName(CatalogTables.LOCAL_INDEX)
                .keyConditionExpression("local_id = :l").expressionAttributeValues(Map.of(":l", AttributeValue.fromS(key))))
                .items();
        assertThat(items).hasSize(1);
        assertThat(items.get(0).get("local_id_value").s()).isEqualTo("FAC#MR#" + longId);
    }

    @Test
    void a_control_id_of_4_kb_is_accepted_once_and_found_by_sender_and_control_id() throws Exception {
        String run = run();
        String controlId = "C" + run + "-" + "9".repeat(4096);
        List<String> identifiers = identifiers(run, 2);
        assertAcceptedOnceWithEveryLink(controlId, adt(controlId, identifiers), identifiers);
        assertThat(messages(controlId).get(0).get("sender_control").s()).startsWith("sha256#");
    }

    @Test
    void more_identifiers_than_the_catalog_links_are_rejected_with_ae_naming_the_limit_at_every_door() throws Exception {
        String run = run();
        String controlId = "TOO-MANY-" + run;
        String message = adt(controlId, identifiers(run, MAX_IDS + 1));
        Map<String, String> ack = send(message);
        assertThat(ack).containsEntry("MSA-1", "AE").containsEntry("ERR-3", "102").containsEntry("ERR-2", "PID^1^3");
        assertThat(ack.get("MSA-3")).contains(Integer.toString(MAX_IDS));
        assertRejectedOnce(controlId, "PID-3", "catalog");
        assertThat(send(message)).as("the resend").containsEntry("MSA-1", "AE");
        assertRejectedOnce(controlId, "PID-3", "catalog");

        // HTTP: 400 with the reason (another control id, so this is not a resend)
        String overHttp = adt(controlId + "-HTTP", identifiers(run + "H", 5_000));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(door)
                .header("Authorization", "Bearer " + engine.issuer().token("dev", Duration.ofMinutes(5), false))
                .header("Content-Type", "application/hl7-v2")
                .POST(HttpRequest.BodyPublishers.ofString(overHttp, StandardCharsets.ISO_8859_1)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode json = JSON.readTree(response.body());
        assertThat(json.get("status").asText()).isEqualTo("rejected");
        assertThat(json.get("location").asText()).isEqualTo("PID-3");
        assertThat(json.get("reason").asText()).contains(Integer.toString(MAX_IDS));
        assertRejectedOnce(controlId + "-HTTP", "PID-3", "catalog");

        // the drop folder: the file is archived with a report that counts the message rejected
        String name = "too-many-" + run + ".hl7";
        String inFile = adt(controlId + "-FILE", identifiers(run + "F", MAX_IDS + 1)) + "\r"
                + adt(controlId + "-FILE-OK", identifiers(run + "G", 3));
        s3.putObject(b -> b.bucket("hl7lake").key("raw/inbox/" + name), RequestBody.fromString(inFile, StandardCharsets.ISO_8859_1));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> report(name) != null);
        JsonNode report = report(name);
        assertThat(report.at("/counts/messages").asInt()).isEqualTo(2);
        assertThat(report.at("/counts/rejected").asInt()).isEqualTo(1);
        assertThat(report.at("/counts/accepted").asInt()).isEqualTo(1);
        assertThat(report.at("/errors/0/location").asText()).isEqualTo("PID-3");
        await().atMost(Duration.ofSeconds(10)).until(() -> list("raw/inbox/" + name).isEmpty());
        assertRejectedOnce(controlId + "-FILE", "PID-3", "catalog");
    }

    @Test
    void values_longer_than_the_catalog_keeps_are_rejected_with_ae_at_their_field() throws Exception {
        String run = run();
        String longControl = "C" + run + "-" + "7".repeat(CatalogLimits.MAX_VALUE_BYTES);
        Map<String, String> ack = send(adt(longControl, identifiers(run, 1)));
        assertThat(ack).containsEntry("MSA-1", "AE").containsEntry("ERR-3", "102").containsEntry("ERR-2", "MSH^1^10");
        assertRejectedOnce(longControl, "MSH-10", "catalog");

        String controlId = "LONG-VALUE-" + run;
        String message = adt(controlId, List.of("V" + "8".repeat(CatalogLimits.MAX_VALUE_BYTES) + "^^^FAC^MR"));
        assertThat(send(message)).containsEntry("MSA-1", "AE").containsEntry("ERR-2", "PID^1^3");
        assertThat(send(message)).containsEntry("MSA-1", "AE");
        assertRejectedOnce(controlId, "PID-3", "catalog");
    }

    /**
     * The ring around this class of defect: generated identifier counts, identifier lengths and control id
     * lengths on both sides of every limit; each message gets AA or AE, never AR, exactly one catalog
     * entry, and the same answer when sent again.
     */
    @Test
    void generated_messages_at_the_stores_limits_get_a_definite_answer_once() {
        qt().withExamples(12).withShrinkCycles(3).withFixedSeed(20261127L)
                .forAll(integers().between(1, MAX_IDS + 100), integers().between(1, 40_000), integers().between(1, 40_000))
                .checkAssert((count, idLength, controlLength) -> {
                    try {
                        String run = run();
                        String controlId = ("Q" + run + "-" + "5".repeat(controlLength)).substring(0, Math.max(10, controlLength));
                        String longId = ("P" + run + "x".repeat(idLength)).substring(0, Math.max(9, idLength));
                        List<String> ids = new java.util.ArrayList<>(identifiers(run, count - 1));
                        ids.add(0, longId + "^^^FAC^MR");
                        String message = adt(controlId, ids);
                        boolean fits = count <= MAX_IDS && ("FAC#MR#" + longId).length() <= CatalogLimits.MAX_VALUE_BYTES
                                && controlId.length() <= CatalogLimits.MAX_VALUE_BYTES;
                        String expected = fits ? "AA" : "AE";
                        assertThat(send(message).get("MSA-1")).isEqualTo(expected);
                        assertThat(send(message).get("MSA-1")).as("the resend").isEqualTo(expected);
                        assertThat(messages(controlId).size() + errors(controlId).size()).isEqualTo(1);
                        assertThat(messages(controlId)).hasSize(fits ? 1 : 0);
                        if (fits) {
                            assertThat(linked(messages(controlId).get(0).get("patient_uuid").s())).isEqualTo(keysOf(ids));
                        }
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
    }

    private static void assertRejectedOnce(String controlId, String location, String stage) {
        assertThat(messages(controlId)).isEmpty();
        List<Map<String, AttributeValue>> errors = errors(controlId);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).get("location").s()).isEqualTo(location);
        assertThat(errors.get(0).get("stage").s()).isEqualTo(stage);
        assertThat(errors.get(0).get("code").n()).isEqualTo("102");
        assertThat(errors.get(0).get("ack_code").s()).isEqualTo("AE");
        String errorKey = errors.get(0).get("error_key").s();
        assertThat(s3.headObject(b -> b.bucket("hl7lake").key(errorKey)).contentLength()).isPositive();
    }

    static JsonNode report(String name) throws Exception {
        for (String key : list("raw/files/")) {
            if (key.endsWith("-" + name + ".report.json")) {
                return JSON.readTree(s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(key)).asByteArray());
            }
        }
        return null;
    }

    static List<String> list(String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket("hl7lake").prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }
}
