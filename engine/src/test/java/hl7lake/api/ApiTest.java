package hl7lake.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.TestFiles;
import hl7lake.TestHttp;
import hl7lake.catalog.CatalogTables;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The query API against a running engine on its embedded lake, over real HTTP with the local
 * issuer's tokens: the samples sent to the HTTP door, then read back by every endpoint (records,
 * documents, bytes identical to what was sent, pages), each role's refusals, and the audit zone
 * (an entry per read of patient data, none for a refused request).
 */
class ApiTest {

    private static final ObjectMapper JSON = TestHttp.JSON;

    private static Engine engine;
    private static String base;
    private static S3Client s3;
    private static String sender;
    private static String reader;
    private static String operator;
    /** Accepted single-message samples: message id to the bytes sent. */
    private static final Map<String, byte[]> accepted = new LinkedHashMap<>();
    /** Rejected samples: error id to the bytes sent, and to the code. */
    private static final Map<String, byte[]> rejected = new LinkedHashMap<>();
    private static final Map<String, Integer> codes = new HashMap<>();
    private static int acceptedMessages;
    private static final String TODAY = LocalDate.now(ZoneOffset.UTC).toString();

    @BeforeAll
    static void start() throws Exception {
        EngineSettings settings = TestEngines.local(Map.of("hl7lake.inbox.enabled", "false"));
        base = "http://127.0.0.1:" + settings.number("hl7lake.http.port");
        engine = Engine.start(settings);
        s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1");
        sender = engine.issuer().token("interface", Duration.ofMinutes(30), false);
        reader = engine.issuer().token("analyst", Duration.ofMinutes(30), false, List.of("reader"));
        operator = engine.issuer().token("ops", Duration.ofMinutes(30), true, List.of("operator", "reader"));
        for (Path file : TestFiles.acceptedSamples()) {
            byte[] bytes = TestFiles.read(file);
            JsonNode reply = post(bytes);
            if (reply.has("results")) {
                reply.get("results").forEach(result -> assertThat(result.get("status").asText()).isEqualTo("accepted"));
                acceptedMessages += reply.get("results").size();
            } else {
                assertThat(reply.get("status").asText()).as(file.toString()).isEqualTo("accepted");
                accepted.put(reply.get("message_id").asText(), bytes);
                acceptedMessages++;
            }
        }
        for (Path file : TestFiles.invalidSamples()) {
            byte[] bytes = TestFiles.read(file);
            JsonNode reply = post(bytes);
            if (reply.has("error_id") && "rejected".equals(reply.get("status").asText())) {
                rejected.put(reply.get("error_id").asText(), bytes);
                codes.put(reply.get("error_id").asText(), reply.get("code").asInt());
            }
        }
        assertThat(accepted).hasSizeGreaterThan(8);
        assertThat(accepted.values()).as("a sample that opens with a byte order mark")
                .anyMatch(bytes -> hl7lake.hl7.Bom.length(bytes) == 3);
        assertThat(rejected).hasSizeGreaterThan(5);
    }

    @AfterAll
    static void stop() {
        s3.close();
        engine.close();
    }

    private static JsonNode post(byte[] body) throws Exception {
        return TestHttp.post(base, sender, body);
    }

    static HttpResponse<byte[]> get(String token, String path) throws Exception {
        return TestHttp.send(base, token, "GET", path, null);
    }

    static JsonNode json(String token, String path) throws Exception {
        HttpResponse<byte[]> response = get(token, path);
        assertThat(response.statusCode()).as(path + ": " + new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("json"));
        return JSON.readTree(response.body());
    }

    /** Every page of a list, following next_page_token; how many pages it took. */
    static List<JsonNode> all(String token, String path, int[] pages) throws Exception {
        List<JsonNode> items = new ArrayList<>();
        String next = null;
        do {
            JsonNode page = json(token, path + (next == null ? "" : "&page_token=" + next));
            page.get("items").forEach(items::add);
            next = page.has("next_page_token") ? page.get("next_page_token").asText() : null;
            pages[0]++;
        } while (next != null);
        return items;
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static List<String> auditKeys() {
        return s3.listObjectsV2Paginator(b -> b.bucket("hl7lake").prefix("audit/")).contents().stream()
                .map(S3Object::key).toList();
    }

    static List<JsonNode> auditEntries() throws Exception {
        List<JsonNode> entries = new ArrayList<>();
        for (String key : auditKeys()) {
            entries.add(JSON.readTree(s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(key)).asByteArray()));
        }
        return entries;
    }

    @Test
    void a_message_is_read_as_its_record_its_document_and_the_exact_bytes_received_each_read_audited() throws Exception {
        for (Map.Entry<String, byte[]> message : accepted.entrySet()) {
            String id = message.getKey();
            int before = auditKeys().size();
            JsonNode record = json(reader, "/api/messages/" + id);
            assertThat(record.get("message_id").asText()).isEqualTo(id);
            assertThat(record.get("door").asText()).isEqualTo("http");
            HttpResponse<byte[]> document = get(reader, "/api/messages/" + id + "?view=document");
            assertThat(document.statusCode()).isEqualTo(200);
            assertThat(document.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("application/json"));
            assertThat(JSON.readTree(document.body()).isObject()).isTrue();
            HttpResponse<byte[]> raw = get(reader, "/api/messages/" + id + "?view=raw");
            assertThat(raw.statusCode()).isEqualTo(200);
            assertThat(raw.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/hl7-v2"));
            // exactly as posted: a leading UTF-8 byte order mark too (vxu-v04-v2.5.1-bom-truncation-character.hl7)
            assertThat(raw.body()).as("the bytes of %s as sent", id).isEqualTo(message.getValue());
            List<JsonNode> entries = auditEntries().stream()
                    .filter(e -> e.get("endpoint").asText().equals("messages/{id}")
                            && e.get("ids").path("message_ids").toString().contains(id)).toList();
            assertThat(auditKeys()).hasSize(before + 3);
            assertThat(entries).extracting(e -> e.get("view").asText()).contains("record", "document", "raw");
            entries.forEach(e -> {
                assertThat(e.get("subject").asText()).isNotBlank();
                assertThat(e.get("remote").asText()).contains("127.0.0.1");
                assertThat(e.get("endpoint").asText()).isEqualTo("messages/{id}");
            });
        }
    }

    @Test
    void messages_by_day_come_a_page_at_a_time_and_every_one_once() throws Exception {
        int[] pages = {0};
        List<JsonNode> items = all(reader, "/api/messages?from=" + TODAY + "&to=" + TODAY + "&limit=4", pages);
        assertThat(pages[0]).isGreaterThanOrEqualTo(3);
        Set<String> ids = new HashSet<>();
        items.forEach(item -> assertThat(ids.add(item.get("message_id").asText())).isTrue());
        assertThat(ids).hasSize(acceptedMessages).containsAll(accepted.keySet());
        for (int i = 1; i < items.size(); i++) {
            assertThat(items.get(i - 1).get("received_at").asText()).isGreaterThanOrEqualTo(items.get(i).get("received_at").asText());
        }
    }

    @Test
    void messages_by_sender_and_control_id_by_structure_by_patient_and_by_identifier() throws Exception {
        String id = accepted.keySet().iterator().next();
        JsonNode record = json(reader, "/api/messages/" + id);
        String senderParam = q(record.get("sending_application").asText() + "|" + record.get("sending_facility").asText());
        JsonNode byControl = json(reader, "/api/messages?sender=" + senderParam + "&control_id=" + q(record.get("control_id").asText()));
        assertThat(byControl.get("items")).extracting(i -> i.get("message_id").asText()).contains(id);

        JsonNode byStructure = json(reader, "/api/messages?structure=" + record.get("structure").asText());
        assertThat(byStructure.get("items")).extracting(i -> i.get("message_id").asText()).contains(id);
        byStructure.get("items").forEach(i -> assertThat(i.get("structure").asText()).isEqualTo(record.get("structure").asText()));

        String uuid = accepted.keySet().stream().map(m -> {
            try {
                return json(reader, "/api/messages/" + m).path("patient_uuid").asText(null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).filter(u -> u != null).findFirst().orElseThrow();
        JsonNode byPatient = json(reader, "/api/messages?patient=" + uuid);
        assertThat(byPatient.get("items")).isNotEmpty();
        byPatient.get("items").forEach(i -> assertThat(i.get("patient_uuid").asText()).isEqualTo(uuid));

        JsonNode patient = json(reader, "/api/patients/" + uuid);
        assertThat(patient.get("patient_uuid").asText()).isEqualTo(uuid);
        assertThat(patient.get("messages")).extracting(i -> i.get("message_id").asText())
                .containsExactlyElementsOf(byPatient.get("items").findValuesAsText("message_id"));
        String identifier = patient.get("identifiers").get(0).asText();

        JsonNode byIdentifier = json(reader, "/api/messages?identifier=" + q(identifier));
        assertThat(byIdentifier.get("items").findValuesAsText("message_id"))
                .containsExactlyElementsOf(byPatient.get("items").findValuesAsText("message_id"));
        JsonNode patients = json(reader, "/api/patients?identifier=" + q(identifier));
        assertThat(patients.get("items")).hasSize(1);
        assertThat(patients.get("items").get(0).get("patient_uuid").asText()).isEqualTo(uuid);
        assertThat(get(reader, "/api/patients/" + java.util.UUID.randomUUID()).statusCode()).isEqualTo(404);
        assertThat(get(reader, "/api/messages/" + java.util.UUID.randomUUID()).statusCode()).isEqualTo(404);
        assertThat(get(reader, "/api/messages?patient=not-a-uuid").statusCode()).isEqualTo(400);
        assertThat(get(reader, "/api/messages?from=" + TODAY + "&page_token=%25%25").statusCode()).isEqualTo(400);
    }

    @Test
    void a_list_gives_each_message_s_summary_which_is_what_the_indexes_hold_and_the_record_the_rest() throws Exception {
        int[] pages = {0};
        List<JsonNode> items = all(reader, "/api/messages?from=" + TODAY + "&limit=1000", pages);
        assertThat(items).hasSize(acceptedMessages);
        for (JsonNode item : items) {
            Set<String> names = new HashSet<>();
            item.fieldNames().forEachRemaining(names::add);
            assertThat(CatalogTables.MESSAGE_SUMMARY).as("a summary's fields").containsAll(names);
            assertThat(names).contains("message_id", "received_at", "door", "structure", "sending_application", "control_id");
            JsonNode record = json(reader, "/api/messages/" + item.get("message_id").asText());
            names.forEach(name -> assertThat(item.get(name)).as(name).isEqualTo(record.get(name)));
            assertThat(record.has("staging_key") && record.has("sha256") && record.has("raw_key")).as("the whole record").isTrue();
        }
        // the indexes themselves hold summaries (projection INCLUDE): a list moves no whole records
        try (DynamoDbClient dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1")) {
            CatalogTables tables = new CatalogTables("hl7lake-");
            String uuid = items.stream().filter(i -> i.has("patient_uuid")).findFirst().orElseThrow().get("patient_uuid").asText();
            for (String[] index : new String[][] {{CatalogTables.DAY_INDEX, "day", TODAY},
                    {CatalogTables.PATIENT_INDEX, "patient_uuid", uuid}}) {
                List<Map<String, AttributeValue>> held = dynamo.query(b -> b.tableName(tables.messages()).indexName(index[0])
                        .keyConditionExpression("#k = :v").expressionAttributeNames(Map.of("#k", index[1]))
                        .expressionAttributeValues(Map.of(":v", AttributeValue.fromS(index[2])))).items();
                assertThat(held).as(index[0]).isNotEmpty();
                held.forEach(item -> assertThat(item.keySet()).as(index[0]).doesNotContain("staging_key", "sha256", "raw_key")
                        .allMatch(name -> CatalogTables.MESSAGE_SUMMARY.contains(name) || name.equals(index[1])));
            }
        }
    }

    @Test
    void errors_by_day_and_code_with_their_records_and_bytes() throws Exception {
        int[] pages = {0};
        List<JsonNode> items = all(reader, "/api/errors?from=" + TODAY + "&limit=2", pages);
        assertThat(pages[0]).isGreaterThanOrEqualTo(3);
        assertThat(items.stream().map(i -> i.get("error_id").asText()).toList()).containsAll(rejected.keySet());
        int code = codes.values().iterator().next();
        JsonNode byCode = json(reader, "/api/errors?code=" + code + "&limit=1000");
        assertThat(byCode.get("items")).isNotEmpty();
        byCode.get("items").forEach(i -> assertThat(i.get("code").asInt()).isEqualTo(code));
        assertThat(byCode.get("items")).hasSize((int) codes.values().stream().filter(c -> c == code).count());
        for (Map.Entry<String, byte[]> error : rejected.entrySet()) {
            JsonNode record = json(reader, "/api/errors/" + error.getKey());
            assertThat(record.get("code").asInt()).isEqualTo(codes.get(error.getKey()));
            int before = auditKeys().size();
            HttpResponse<byte[]> raw = get(reader, "/api/errors/" + error.getKey() + "?view=raw");
            assertThat(raw.statusCode()).isEqualTo(200);
            assertThat(raw.body()).isEqualTo(error.getValue());
            assertThat(auditKeys()).hasSize(before + 1);
        }
    }

    @Test
    void counts_by_day_door_and_outcome_match_what_was_sent() throws Exception {
        JsonNode counts = json(reader, "/api/counts?from=" + TODAY + "&to=" + TODAY);
        assertThat(counts.get("days")).hasSize(1);
        JsonNode http = counts.get("days").get(0).get("doors").get("http");
        assertThat(http.get("accepted").asInt()).isEqualTo(acceptedMessages);
        assertThat(http.get("rejected").asInt()).isEqualTo(rejected.size());
        assertThat(counts.get("days").get(0).has("hours")).as("hours only with by=hour").isFalse();

        JsonNode hourly = json(reader, "/api/counts?from=" + TODAY + "&to=" + TODAY + "&by=hour").get("days").get(0);
        assertThat(hourly.get("doors")).isEqualTo(counts.get("days").get(0).get("doors"));
        int[] sums = new int[2];
        hourly.get("hours").forEach(hour -> {
            assertThat(hour.get("hour").asText()).startsWith(TODAY + "T").hasSize(13);
            JsonNode door = hour.get("doors").path("http");
            sums[0] += door.path("accepted").asInt();
            sums[1] += door.path("rejected").asInt();
        });
        assertThat(sums).containsExactly(acceptedMessages, rejected.size());
        assertThat(get(reader, "/api/counts?by=minute").statusCode()).isEqualTo(400);
    }

    @Test
    void no_token_a_bad_token_and_the_wrong_role_are_refused_with_a_reason_and_audit_nothing() throws Exception {
        String id = accepted.keySet().iterator().next();
        int before = auditKeys().size();
        for (String path : List.of("/api/messages/" + id + "?view=raw", "/api/messages?from=" + TODAY, "/api/counts",
                "/api/errors", "/api/audit?day=" + TODAY)) {
            HttpResponse<byte[]> none = get(null, path);
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
            assertThat(JSON.readTree(none.body()).get("status").asText()).isEqualTo("unauthorized");
            assertThat(get(reader + "x", path).statusCode()).isEqualTo(401);
            HttpResponse<byte[]> asSender = get(sender, path);
            assertThat(asSender.statusCode()).as(path).isEqualTo(403);
            assertThat(JSON.readTree(asSender.body()).get("reason").asText()).contains("reader");
        }
        HttpResponse<byte[]> readerOnAudit = get(reader, "/api/audit?day=" + TODAY);
        assertThat(readerOnAudit.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(readerOnAudit.body()).get("reason").asText()).contains("operator");
        assertThat(auditKeys()).as("a refused request writes no audit entry").hasSize(before);
        HttpResponse<byte[]> openApi = get(null, "/api/openapi.json");
        assertThat(openApi.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(openApi.body()).get("paths").has("/api/messages/{message_id}")).isTrue();
    }

    @Test
    void an_operator_reads_the_audit_log_a_page_at_a_time() throws Exception {
        String id = accepted.keySet().iterator().next();
        for (int i = 0; i < 3; i++) {
            json(reader, "/api/messages/" + id);
        }
        int[] pages = {0};
        List<JsonNode> entries = all(operator, "/api/audit?day=" + TODAY + "&limit=1", pages);
        assertThat(entries).hasSize(auditKeys().size());
        assertThat(pages[0]).isGreaterThanOrEqualTo(3);
        assertThat(entries).anySatisfy(e -> assertThat(e.get("ids").get("message_ids").toString()).contains(id));
    }
}
