package hl7lake.restage;

import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.cli.RestageCommand;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.local.LocalLake;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The command's ways to a lake: local mode with the engine stopped (it opens the lake under the data
 * directory itself), AWS mode against configured endpoints, and what it refuses.
 */
class RestageModesTest {

    @TempDir
    Path data;

    private static final String TODAY = LocalDate.now(ZoneOffset.UTC).toString();
    private static final String TOMORROW = LocalDate.now(ZoneOffset.UTC).plusDays(1).toString();

    private EngineSettings persisted(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("hl7lake.local.in-memory", "false",
                "hl7lake.local.data-dir", data.toString(), "hl7lake.mllp.enabled", "false", "hl7lake.inbox.enabled", "false"));
        settings.putAll(extra);
        return TestEngines.local(settings);
    }

    @Test
    void local_mode_with_the_engine_stopped_opens_the_lake_under_the_data_directory() throws Exception {
        Map<String, byte[]> ingested = new HashMap<>();
        try (Engine engine = Engine.start(persisted(Map.of()));
             S3Client s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1");
             DynamoDbClient dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1")) {
            List<byte[]> samples = Lakes.sampleMessages();
            Lakes.ingest(engine.camel().createProducerTemplate(), samples.subList(0, 5), 2);
            for (Map<String, AttributeValue> item : Lakes.catalog(dynamo).values()) {
                ingested.put(item.get("staging_key").s(), Lakes.get(s3, item.get("staging_key").s()).asByteArray());
                Lakes.age(s3, dynamo, item);
            }
        }
        // the engine is stopped: nothing answers on the lake's ports (0 here: none), so restage opens it
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(run(out, persisted(Map.of()), "--mode", "local", "--from", TODAY, "--to", TOMORROW)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("the engine is not running",
                "done: 5 messages read: 5 rewritten");

        EngineSettings settings = persisted(Map.of());
        try (LocalLake lake = LocalLake.start(settings.dataDir(), settings.number("hl7lake.local.s3-port"),
                settings.number("hl7lake.local.dynamodb-port"), settings.get("hl7lake.lake.bucket"));
             S3Client s3 = AwsClients.s3(lake.s3Endpoint(), "us-east-1")) {
            lake.awaitStarted();
            assertThat(Lakes.keys(s3, "staging/")).containsExactlyInAnyOrderElementsOf(ingested.keySet());
            ingested.forEach((key, bytes) -> assertThat(Lakes.get(s3, key).asByteArray()).isEqualTo(bytes));
        }
    }

    @Test
    void aws_mode_works_on_the_configured_endpoints_and_stops_naming_what_is_missing() throws Exception {
        try (Engine engine = Engine.start(TestEngines.local(Map.of("hl7lake.mllp.enabled", "false", "hl7lake.inbox.enabled", "false")));
             S3Client s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1");
             DynamoDbClient dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1")) {
            Lakes.ingest(engine.camel().createProducerTemplate(), Lakes.sampleMessages().subList(0, 3), 2);
            Lakes.catalog(dynamo).values().forEach(item -> Lakes.age(s3, dynamo, item));
            Map<String, String> aws = Map.of("hl7lake.mode", "aws",
                    "hl7lake.aws.s3-endpoint", engine.local().s3Endpoint().toString(),
                    "hl7lake.aws.dynamodb-endpoint", engine.local().dynamoEndpoint().toString());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(run(out, TestEngines.with(aws), "--from", TODAY, "--to", TOMORROW)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("done: 3 messages read: 3 rewritten");

            Map<String, String> noTables = new HashMap<>(aws);
            noTables.put("hl7lake.catalog.table-prefix", "other-");
            assertThatThrownBy(() -> run(new ByteArrayOutputStream(), TestEngines.with(noTables), "--from", TODAY))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("DynamoDB table other-messages");
        }
    }

    @Test
    void usage_errors_and_a_missing_local_lake_are_answered() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(run(out, persisted(Map.of()), "--mode", "local")).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--from and --to are days");
        out.reset();
        assertThat(run(out, persisted(Map.of()), "--from", "2026-11-03", "--to", "2026-11-01", "--mode", "local")).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("is before --from");
        out.reset();
        assertThat(run(out, TestEngines.with(Map.of()), "--from", TODAY)).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--mode local", "--mode aws");
        assertThatThrownBy(() -> run(new ByteArrayOutputStream(), persisted(Map.of()), "--mode", "local", "--from", TODAY))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no local lake under");
    }

    private static int run(ByteArrayOutputStream out, EngineSettings settings, String... args) throws Exception {
        try (PrintStream err = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            return RestageCommand.run(args, settings, err);
        }
    }
}
