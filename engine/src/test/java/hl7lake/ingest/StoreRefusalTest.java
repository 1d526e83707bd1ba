package hl7lake.ingest;

import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.catalog.CatalogTables;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.local.EmbeddedDynamoDb;
import hl7lake.local.s3.LocalS3Server;
import hl7lake.mllp.MllpDoorTest;
import hl7lake.mllp.MllpSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A store that answers but refuses a message's catalog entry as invalid (here DynamoDB Local, whose
 * messages table types the control index key as a number, so every message item is refused with a
 * ValidationException): the message is rejected (AE, error zone, error record naming the refusal),
 * not retried forever as an outage; its resend gets the same AE and no second record.
 */
class StoreRefusalTest {

    @TempDir
    Path dir;

    @Test
    void a_message_the_store_refuses_as_invalid_is_rejected_once_not_retried_forever() throws Exception {
        try (LocalS3Server s3Server = LocalS3Server.start(0, dir.resolve("s3"));
             EmbeddedDynamoDb dynamoServer = EmbeddedDynamoDb.start(0, null);
             DynamoDbClient dynamo = AwsClients.dynamo(dynamoServer.endpoint(), "us-east-1");
             S3Client s3 = AwsClients.s3(s3Server.endpoint(), "us-east-1")) {
            s3Server.createBucket("hl7lake");
            CatalogTables tables = new CatalogTables("hl7lake-");
            for (CreateTableRequest table : tables.definitions()) {
                if (table.tableName().equals(tables.messages())) {
                    table = table.toBuilder().attributeDefinitions(table.attributeDefinitions().stream()
                            .map(a -> a.attributeName().equals("sender_control") ? AttributeDefinition.builder()
                                    .attributeName("sender_control").attributeType(ScalarAttributeType.N).build() : a)
                            .toList()).build();
                }
                dynamo.createTable(table);
            }
            EngineSettings settings = TestEngines.with(Map.of("hl7lake.mode", "aws", "hl7lake.inbox.enabled", "false",
                    "hl7lake.aws.s3-endpoint", s3Server.endpoint().toString(),
                    "hl7lake.aws.dynamodb-endpoint", dynamoServer.endpoint().toString()));
            int port = settings.number("hl7lake.mllp.port");
            try (Engine engine = Engine.start(settings)) {
                TestEngines.awaitListening(port);
                String message = MllpDoorTest.adt("REFUSED-1", "MRN-R1");
                try (MllpSocket socket = new MllpSocket(port)) {
                    socket.write(MllpSocket.frame(message));
                    String ack = socket.read();
                    assertThat(ack).contains("MSA|AE|REFUSED-1").contains("ValidationException").containsPattern("ERR\\|[^\\r]*\\|102\\^");
                    socket.write(MllpSocket.frame(message));
                    assertThat(socket.read()).as("the resend").contains("MSA|AE|REFUSED-1").contains("ValidationException");
                }
            }
            List<Map<String, AttributeValue>> errors = dynamo.scan(b -> b.tableName(tables.errors())).items();
            assertThat(errors).hasSize(1);
            assertThat(errors.get(0).get("stage").s()).isEqualTo("store");
            assertThat(errors.get(0).get("ack_code").s()).isEqualTo("AE");
            assertThat(dynamo.scan(b -> b.tableName(tables.messages())).items()).isEmpty();
            List<String> keys = s3.listObjectsV2Paginator(b -> b.bucket("hl7lake")).contents().stream().map(S3Object::key).toList();
            assertThat(keys).contains(errors.get(0).get("error_key").s()).noneMatch(key -> key.startsWith("staging/"));
        }
    }
}
