package hl7lake.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.MessageIndex;
import hl7lake.catalog.MessageRecord;
import hl7lake.cli.FreezingProxy;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.http.LocalIssuer;
import hl7lake.local.EmbeddedDynamoDb;
import hl7lake.local.s3.LocalS3Server;
import hl7lake.mllp.MllpDoorTest;
import hl7lake.mllp.MllpSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A frozen store (S3 and DynamoDB accepting connections but never answering, through a relay the
 * test freezes) with a 2 s storage deadline: MLLP gets AR 207 and HTTP 503 within the deadline and
 * a margin, not after the SDK's minutes; nothing is acknowledged or cataloged; once the store answers
 * again the resend is AA, cataloged once. The engine runs in AWS mode against real embedded servers.
 */
class FrozenStoreTest {

    private static final int DEADLINE_SECONDS = 2;
    /** Time to an answer we accept: the deadline plus the time to build and send the answer on a busy 2-core machine. */
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(DEADLINE_SECONDS + 3);

    @TempDir
    Path dir;

    private LocalS3Server s3Server;
    private EmbeddedDynamoDb dynamoServer;
    private FreezingProxy s3;
    private FreezingProxy dynamo;
    private LocalIssuer issuer;
    private Engine engine;
    private DynamoDbClient catalog;
    private int mllpPort;
    private URI door;

    @BeforeEach
    void start() throws Exception {
        s3Server = LocalS3Server.start(0, dir.resolve("s3"));
        s3Server.createBucket("hl7lake");
        dynamoServer = EmbeddedDynamoDb.start(0, null);
        catalog = AwsClients.dynamo(dynamoServer.endpoint(), "us-east-1");
        new CatalogTables("hl7lake-").createMissing(catalog);
        s3 = new FreezingProxy(s3Server.endpoint());
        dynamo = new FreezingProxy(dynamoServer.endpoint());
        issuer = LocalIssuer.start(null, 0);
        Map<String, String> settings = new HashMap<>(Map.of("hl7lake.mode", "aws", "hl7lake.inbox.enabled", "false",
                "hl7lake.aws.s3-endpoint", s3.endpoint().toString(),
                "hl7lake.aws.dynamodb-endpoint", dynamo.endpoint().toString(),
                "hl7lake.storage.deadline-seconds", Integer.toString(DEADLINE_SECONDS),
                "hl7lake.http.auth.issuer", issuer.issuer(), "hl7lake.http.auth.client-id", LocalIssuer.CLIENT_ID));
        EngineSettings engineSettings = TestEngines.with(settings);
        mllpPort = engineSettings.number("hl7lake.mllp.port");
        door = URI.create("http://127.0.0.1:" + engineSettings.number("hl7lake.http.port") + "/hl7v2/er7");
        engine = Engine.start(engineSettings);
        TestEngines.awaitListening(mllpPort);
    }

    @AfterEach
    void stop() {
        engine.close();
        s3.close();
        dynamo.close();
        issuer.close();
        catalog.close();
        dynamoServer.close();
        s3Server.close();
    }

    private static String send(MllpSocket socket, String message) throws Exception {
        socket.write(MllpSocket.frame(message));
        return socket.read();
    }

    private int cataloged(String controlId) {
        return new MessageIndex(catalog, new CatalogTables("hl7lake-"))
                .bySenderControl(MessageRecord.senderControl("MLLPTEST", "FAC", controlId)).size();
    }

    private HttpResponse<String> post(String message) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(door).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + issuer.token("dev", Duration.ofMinutes(5), false))
                .header("Content-Type", "application/hl7-v2")
                .POST(HttpRequest.BodyPublishers.ofString(message, StandardCharsets.ISO_8859_1)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a_frozen_store_gets_ar_207_and_503_within_the_deadline_and_the_resend_is_stored_once() throws Exception {
        try (MllpSocket socket = new MllpSocket(mllpPort)) {
            assertThat(send(socket, MllpDoorTest.adt("FROZEN-0", "MRN-F0"))).contains("MSA|AA|FROZEN-0");

            s3.freeze();
            dynamo.freeze();
            String message = MllpDoorTest.adt("FROZEN-1", "MRN-F1");
            long started = System.nanoTime();
            String ack = send(socket, message);
            Duration waited = Duration.ofNanos(System.nanoTime() - started);
            assertThat(ack).contains("MSA|AR|FROZEN-1").containsPattern("ERR\\|[^\\r]*\\|207\\^");
            assertThat(waited).isLessThan(ANSWER_WITHIN).isGreaterThanOrEqualTo(Duration.ofMillis(DEADLINE_SECONDS * 900L));

            started = System.nanoTime();
            HttpResponse<String> response = post(MllpDoorTest.adt("FROZEN-HTTP", "MRN-FH"));
            waited = Duration.ofNanos(System.nanoTime() - started);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            JsonNode json = new ObjectMapper().readTree(response.body());
            assertThat(json.get("status").asText()).isEqualTo("unavailable");
            assertThat(waited).isLessThan(ANSWER_WITHIN);

            // a batch of five: once the first has failed, the others are not tried (one deadline, not five)
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                batch.append(MllpDoorTest.adt("FROZEN-BATCH-" + i, "MRN-FB" + i)).append("\r\n");
            }
            started = System.nanoTime();
            response = post(batch.toString());
            waited = Duration.ofNanos(System.nanoTime() - started);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            json = new ObjectMapper().readTree(response.body());
            assertThat(json.get("results")).hasSize(5);
            json.get("results").forEach(result -> assertThat(result.get("status").asText()).isEqualTo("unavailable"));
            assertThat(waited).isLessThan(ANSWER_WITHIN);

            s3.thaw();
            dynamo.thaw();
            assertThat(cataloged("FROZEN-1")).as("nothing acknowledged, nothing cataloged").isZero();
            assertThat(send(socket, message)).contains("MSA|AA|FROZEN-1");
            assertThat(send(socket, message)).as("a second resend").contains("MSA|AA|FROZEN-1");
        }
        assertThat(cataloged("FROZEN-1")).isEqualTo(1);
    }

    @Test
    void a_store_frozen_while_a_message_is_being_stored_costs_it_no_more_than_its_deadline() throws Exception {
        try (MllpSocket socket = new MllpSocket(mllpPort)) {
            assertThat(send(socket, MllpDoorTest.adt("FROZEN-S3-0", "MRN-S0"))).contains("MSA|AA|FROZEN-S3-0");
            s3.freeze(); // DynamoDB answers: the message gets its id, then its raw object hangs
            long started = System.nanoTime();
            String ack = send(socket, MllpDoorTest.adt("FROZEN-S3-1", "MRN-S1"));
            Duration waited = Duration.ofNanos(System.nanoTime() - started);
            assertThat(ack).contains("MSA|AR|FROZEN-S3-1");
            assertThat(waited).isLessThan(ANSWER_WITHIN);
            s3.thaw();
            assertThat(send(socket, MllpDoorTest.adt("FROZEN-S3-1", "MRN-S1"))).contains("MSA|AA|FROZEN-S3-1");
        }
        assertThat(cataloged("FROZEN-S3-1")).isEqualTo(1);
    }
}
