package hl7lake.deploy;

import hl7lake.config.AwsClients;
import hl7lake.local.EmbeddedDynamoDb;
import hl7lake.local.FreePorts;
import hl7lake.local.s3.LocalS3Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The production jar (engine/target/hl7lake-engine.jar) in AWS mode with a table of the stack missing exits non-zero and names it. */
class AwsModeIT {

    @TempDir
    Path dir;

    @Test
    void the_jar_in_aws_mode_with_a_table_missing_exits_non_zero_naming_it() throws Exception {
        try (LocalS3Server s3 = LocalS3Server.start(0, dir.resolve("s3"));
             EmbeddedDynamoDb dynamoServer = EmbeddedDynamoDb.start(0, null);
             DynamoDbClient dynamo = AwsClients.dynamo(dynamoServer.endpoint(), "us-east-1")) {
            s3.createBucket("hl7lake");
            for (CreateTableRequest table : new Template().tables()) {
                if (!table.tableName().endsWith("patient_ids")) {
                    dynamo.createTable(table);
                }
            }
            Process engine = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dhl7lake.aws.s3-endpoint=" + s3.endpoint(), "-Dhl7lake.aws.dynamodb-endpoint=" + dynamoServer.endpoint(),
                    "-Dhl7lake.http.port=" + FreePorts.find(), "-Dhl7lake.mllp.port=" + FreePorts.find(),
                    "-jar", Path.of("engine", "target", "hl7lake-engine.jar").toAbsolutePath().toString(), "aws")
                    .redirectErrorStream(true).start();
            assertThat(engine.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = new String(engine.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(engine.exitValue()).as(output).isNotZero();
            assertThat(output).contains("hl7lake: AWS mode: missing DynamoDB table hl7lake-patient_ids");
        }
    }
}
