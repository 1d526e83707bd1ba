package hl7lake.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.MessageIndex;
import hl7lake.catalog.MessageRecord;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.mllp.MllpSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The same message through every door (issue 12 B8): over MLLP first, then POSTed as it is, with
 * CRLF and without its final terminator, then dropped in a file with a new message: one catalog
 * entry, every later copy answered as a duplicate; and a file's message later sent over MLLP is one too.
 */
class CrossDoorDuplicateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Engine engine;
    private static EngineSettings settings;
    private static S3Client s3;
    private static DynamoDbClient dynamo;
    private static MessageIndex index;

    @BeforeAll
    static void start() throws Exception {
        settings = TestEngines.local(Map.of("hl7lake.inbox.poll-millis", "200"));
        engine = Engine.start(settings);
        s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1");
        dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1");
        index = new MessageIndex(dynamo, new CatalogTables("hl7lake-"));
    }

    @AfterAll
    static void stop() {
        s3.close();
        dynamo.close();
        engine.close();
    }

    private static int cataloged(String message) {
        String[] msh = message.split("[\r\n]", 2)[0].split("\\|");
        return index.bySenderControl(MessageRecord.senderControl(msh[2], msh[3], msh[9])).size();
    }

    private static String mllp(String message) throws Exception {
        try (MllpSocket socket = new MllpSocket(settings.number("hl7lake.mllp.port"))) {
            return socket.read(MllpSocket.frame(message.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static JsonNode http(byte[] body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + settings.number("hl7lake.http.port") + "/hl7v2/er7"))
                .header("Authorization", "Bearer " + engine.issuer().token("dev", Duration.ofMinutes(5), false))
                .header("Content-Type", "application/hl7-v2").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static void drop(String name, String content) {
        s3.putObject(b -> b.bucket("hl7lake").key("raw/inbox/" + name), RequestBody.fromString(content));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> s3.listObjectsV2(
                b -> b.bucket("hl7lake").prefix("raw/files/")).contents().stream()
                .anyMatch(o -> o.key().endsWith(name + ".report.json")));
    }

    @Test
    void a_message_over_mllp_then_http_in_three_forms_then_in_a_file_is_cataloged_once() throws Exception {
        String sample = Files.readString(Path.of("samples/adt-a04-v2.7.hl7"), StandardCharsets.UTF_8);
        assertThat(mllp(sample)).contains("MSA|AA|");
        assertThat(cataloged(sample)).isEqualTo(1);
        String cr = sample.replace("\r\n", "\n").replace('\n', '\r');
        for (String form : new String[] {cr, cr.replace("\r", "\r\n"), cr.replaceAll("\r+$", "")}) {
            JsonNode again = http(form.getBytes(StandardCharsets.UTF_8));
            assertThat(again.path("duplicate").asBoolean()).as(again.toString()).isTrue();
        }
        String fresh = cr.replace("ADT-A04-0001", "CROSS-DOOR-FILE-2");
        drop("cross-door-1.hl7", sample + "\n" + fresh);
        assertThat(cataloged(sample)).as("the file's copy is the same message").isEqualTo(1);
        assertThat(cataloged(fresh)).isEqualTo(1);
    }

    @Test
    void a_message_first_dropped_in_a_file_then_sent_over_mllp_and_http_is_cataloged_once() throws Exception {
        String sample = Files.readString(Path.of("samples/oru-r01-v2.5-many-obx.hl7"), StandardCharsets.UTF_8)
                .replace("\r\n", "\n").replace('\n', '\r');
        drop("cross-door-2.hl7", "\r\n" + sample.replace("\r", "\r\n") + "\r\n\r\n");
        assertThat(cataloged(sample)).isEqualTo(1);
        assertThat(mllp(sample)).contains("MSA|AA|");
        assertThat(http(sample.replace("\r", "\n").getBytes(StandardCharsets.UTF_8)).path("duplicate").asBoolean()).isTrue();
        assertThat(cataloged(sample)).isEqualTo(1);
    }
}
