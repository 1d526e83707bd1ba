package hl7lake.deploy;

import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.MessageIndex;
import hl7lake.catalog.MessageRecord;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.local.EmbeddedDynamoDb;
import hl7lake.local.s3.LocalS3Server;
import hl7lake.mllp.MllpDoorTest;
import hl7lake.mllp.MllpSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine in AWS mode, as the stack runs it, against S3 and DynamoDB endpoints whose tables were
 * created from the CloudFormation template's own definitions (not by the engine, which in AWS mode
 * creates nothing): a message goes end to end; a missing table stops the start, named.
 */
class AwsModeTest {

    @TempDir
    Path dir;

    private LocalS3Server s3Server;
    private EmbeddedDynamoDb dynamoServer;
    private DynamoDbClient dynamo;

    @BeforeEach
    void storage() {
        s3Server = LocalS3Server.start(0, dir.resolve("s3"));
        s3Server.createBucket("hl7lake");
        dynamoServer = EmbeddedDynamoDb.start(0, null);
        dynamo = AwsClients.dynamo(dynamoServer.endpoint(), "us-east-1");
    }

    @AfterEach
    void stop() {
        dynamo.close();
        dynamoServer.close();
        s3Server.close();
    }

    private EngineSettings aws() {
        return TestEngines.with(Map.of("hl7lake.mode", "aws", "hl7lake.inbox.enabled", "false",
                "hl7lake.aws.s3-endpoint", s3Server.endpoint().toString(),
                "hl7lake.aws.dynamodb-endpoint", dynamoServer.endpoint().toString()));
    }

    @Test
    void on_the_templates_tables_a_message_goes_end_to_end() throws Exception {
        for (CreateTableRequest table : new Template().tables()) {
            dynamo.createTable(table);
        }
        EngineSettings settings = aws();
        int port = settings.number("hl7lake.mllp.port");
        try (Engine engine = Engine.start(settings); S3Client s3 = AwsClients.s3(s3Server.endpoint(), "us-east-1")) {
            assertThat(engine.local()).as("no embedded servers in AWS mode").isNull();
            assertThat(engine.issuer()).as("no local issuer in AWS mode").isNull();
            TestEngines.awaitListening(port);
            try (MllpSocket mllp = new MllpSocket(port)) {
                assertThat(mllp.read(MllpSocket.frame(MllpDoorTest.adt("AWS-1", "MRN-AWS")))).contains("MSA|AA|AWS-1");
            }
            var records = new MessageIndex(dynamo, new CatalogTables("hl7lake-"))
                    .bySenderControl(MessageRecord.senderControl("MLLPTEST", "FAC", "AWS-1"));
            assertThat(records).hasSize(1);
            String stagingKey = records.get(0).get("staging_key").s();
            assertThat(s3.getObjectTagging(b -> b.bucket("hl7lake").key(stagingKey)).tagSet())
                    .anySatisfy(tag -> assertThat(tag.key()).isEqualTo("data_src"));
        }
    }

    @Test
    void a_missing_table_stops_the_start_and_is_named() throws Exception {
        for (CreateTableRequest table : new Template().tables()) {
            if (!table.tableName().endsWith("claims")) {
                dynamo.createTable(table);
            }
        }
        assertThatThrownBy(() -> Engine.start(aws())).hasMessageContaining("DynamoDB table hl7lake-claims")
                .hasMessageNotContaining("hl7lake-messages");
    }
}
