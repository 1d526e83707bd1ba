package hl7lake.deploy;

import hl7lake.catalog.CatalogTables;
import hl7lake.config.EngineSettings;
import hl7lake.lake.LakeKeys;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment files read as data and held against the engine's own configuration, so that they
 * cannot drift: the template's tables are exactly CatalogTables', its IAM covers exactly the lake's
 * zones, its ports and environment variables are the engine's settings; the Dockerfile is plain.
 */
class DeploymentConsistencyTest {

    private final Template template = new Template();
    private final EngineSettings defaults = EngineSettings.load(Map.of(), Map.of());

    DeploymentConsistencyTest() throws Exception {
    }

    @Test
    void the_templates_tables_are_exactly_the_catalog_tables_the_engine_uses() {
        assertThat(template.parameterDefault("TablePrefix")).isEqualTo(defaults.get("hl7lake.catalog.table-prefix"));
        List<CreateTableRequest> engine = sorted(new CatalogTables(defaults.get("hl7lake.catalog.table-prefix")).definitions());
        List<CreateTableRequest> stack = sorted(template.tables());
        assertThat(stack).hasSameSizeAs(engine);
        for (int i = 0; i < engine.size(); i++) {
            CreateTableRequest e = engine.get(i);
            CreateTableRequest s = stack.get(i);
            assertThat(s.tableName()).isEqualTo(e.tableName());
            assertThat(s.keySchema()).as(e.tableName()).isEqualTo(e.keySchema());
            assertThat(new TreeSet<>(s.attributeDefinitions().stream().map(Object::toString).toList()))
                    .as(e.tableName()).isEqualTo(new TreeSet<>(e.attributeDefinitions().stream().map(Object::toString).toList()));
            assertThat(s.globalSecondaryIndexes()).as(e.tableName()).isEqualTo(e.globalSecondaryIndexes());
            assertThat(s.billingMode()).isEqualTo(e.billingMode());
        }
        for (Map<String, Object> table : template.resources("AWS::DynamoDB::Table").values()) {
            assertThat(template.map(table, "SSESpecification").get("SSEEnabled")).isEqualTo(true);
            assertThat(template.map(table, "PointInTimeRecoverySpecification").get("PointInTimeRecoveryEnabled")).isEqualTo(true);
        }
    }

    private static List<CreateTableRequest> sorted(List<CreateTableRequest> tables) {
        return tables.stream().sorted(Comparator.comparing(CreateTableRequest::tableName)).toList();
    }

    @Test
    void the_task_may_write_exactly_the_lakes_zones_and_the_bucket_is_locked_down() {
        Map<String, Object> bucket = template.resources("AWS::S3::Bucket").get("LakeBucket");
        assertThat(template.map(bucket, "VersioningConfiguration").get("Status")).isEqualTo("Enabled");
        assertThat(template.map(bucket, "PublicAccessBlockConfiguration").values()).containsOnly(true);
        assertThat(template.map(bucket, "BucketEncryption")).isNotNull();
        String policy = template.resources("AWS::S3::BucketPolicy").toString();
        assertThat(policy).contains("aws:SecureTransport").contains("Deny");

        String taskRole = template.resources("AWS::IAM::Role").get("TaskRole").toString();
        Set<String> prefixes = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{LakeBucket\\.Arn}/([a-z]+)/\\*").matcher(taskRole);
        while (m.find()) {
            prefixes.add(m.group(1) + "/");
        }
        String id = "01900000-0000-7000-8000-000000000001";
        Set<String> engineZones = new TreeSet<>(List.of(zone(LakeKeys.raw(id)), zone(LakeKeys.staging("ADT_A01", id)),
                zone(LakeKeys.error(id)), zone(defaults.get("hl7lake.inbox.prefix")), zone(LakeKeys.archive(id, "f.hl7")),
                zone(hl7lake.refine.RefinedKeys.manifest("messages", java.time.LocalDate.EPOCH)),
                zone(hl7lake.api.AuditLog.ZONE + "day=2026-01-01/" + id + ".json")));
        assertThat(prefixes).isEqualTo(engineZones);
        assertThat(taskRole).doesNotContain("s3:*").doesNotContain("dynamodb:*").doesNotContain("\"*\"")
                .contains("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:BatchGetItem",
                        "dynamodb:Query", "dynamodb:DescribeTable");
    }

    @Test
    void the_inboxs_object_events_go_to_a_queue_with_a_dead_letter_queue_that_the_tasks_consume() {
        Map<String, Object> bucket = template.resources("AWS::S3::Bucket").get("LakeBucket");
        Map<String, Object> notification = template.map(template.list(bucket, "NotificationConfiguration",
                "QueueConfigurations").get(0));
        assertThat(notification.get("Event")).isEqualTo("s3:ObjectCreated:*");
        assertThat(notification.toString()).contains("{Name=prefix, Value=" + defaults.get("hl7lake.inbox.prefix") + "}")
                .contains("InboxQueue");
        assertThat(template.map(template.root(), "Resources", "LakeBucket").get("DependsOn")).isEqualTo("InboxQueuePolicy");

        Map<String, Object> queue = template.resources("AWS::SQS::Queue").get("InboxQueue");
        assertThat(template.map(queue, "RedrivePolicy").toString()).contains("InboxDeadLetterQueue");
        assertThat(queue.get("VisibilityTimeout").toString()).isEqualTo(defaults.get("hl7lake.inbox.visibility-seconds"));
        String policy = template.resources("AWS::SQS::QueuePolicy").get("InboxQueuePolicy").toString();
        assertThat(policy).contains("s3.amazonaws.com", "sqs:SendMessage", "aws:SourceAccount");

        String taskRole = template.resources("AWS::IAM::Role").get("TaskRole").toString();
        assertThat(taskRole).contains("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility")
                .doesNotContain("sqs:*");
        Object container = template.list(template.resources("AWS::ECS::TaskDefinition").get("TaskDefinition"),
                "ContainerDefinitions").get(0);
        assertThat(template.list(container, "Environment").toString()).contains("HL7LAKE_INBOX_QUEUE_URL");
    }

    private static String zone(String key) {
        return key.substring(0, key.indexOf('/') + 1);
    }

    @Test
    void ports_and_environment_variables_are_the_engines_settings() throws Exception {
        Map<String, Object> task = template.resources("AWS::ECS::TaskDefinition").get("TaskDefinition");
        Map<String, Object> container = template.map(template.list(task, "ContainerDefinitions").get(0));
        Set<Integer> ports = template.list(container, "PortMappings").stream()
                .map(p -> ((Number) template.map(p).get("ContainerPort")).intValue()).collect(Collectors.toSet());
        Set<Integer> enginePorts = Set.of(defaults.number("hl7lake.mllp.port"), defaults.number("hl7lake.http.port"));
        assertThat(ports).isEqualTo(enginePorts);
        Set<Integer> targetPorts = template.resources("AWS::ElasticLoadBalancingV2::TargetGroup").values().stream()
                .map(g -> ((Number) g.get("Port")).intValue()).collect(Collectors.toSet());
        assertThat(targetPorts).isEqualTo(enginePorts);
        assertThat(template.resources("AWS::ElasticLoadBalancingV2::TargetGroup").values())
                .allSatisfy(g -> assertThat(g.get("HealthCheckPath")).isEqualTo("/observe/health"));

        Set<String> variables = template.list(container, "Environment").stream()
                .map(e -> String.valueOf(template.map(e).get("Name"))).filter(n -> n.startsWith("HL7LAKE_"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(variables).contains("HL7LAKE_MODE", "HL7LAKE_AWS_REGION", "HL7LAKE_LAKE_BUCKET",
                "HL7LAKE_CATALOG_TABLE_PREFIX", "HL7LAKE_HTTP_AUTH_ISSUER", "HL7LAKE_HTTP_AUTH_CLIENT_ID");
        Set<String> known = defaults.asProperties().stringPropertyNames().stream()
                .map(k -> k.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_')).collect(Collectors.toSet());
        known.add("HL7LAKE_MODE"); // deliberately absent from the file: never defaulted
        assertThat(known).as("every variable the stack sets is a setting of the engine").containsAll(variables);
        for (String variable : Set.of("HL7LAKE_MLLP_PORT", "HL7LAKE_HTTP_PORT")) {
            String value = template.list(container, "Environment").stream().map(template::map)
                    .filter(e -> variable.equals(e.get("Name"))).map(e -> String.valueOf(e.get("Value"))).findFirst().orElseThrow();
            assertThat(Integer.parseInt(value)).isIn(enginePorts);
        }
        Map<String, Object> service = template.resources("AWS::ECS::Service").get("Service");
        assertThat(template.parameterDefault("DesiredCount")).isEqualTo("2");
        assertThat(service.get("LaunchType")).isEqualTo("FARGATE");
        assertThat(template.resources("AWS::ApplicationAutoScaling::ScalingPolicy")).isNotEmpty();
        assertThat(template.resources("AWS::Cognito::UserPoolClient").get("UserPoolClient").toString())
                .contains("ALLOW_USER_PASSWORD_AUTH");
        assertThat(template.map(template.root(), "Outputs").keySet()).contains("MllpEndpoint", "HttpEndpoint",
                "LakeBucketName", "UserPoolId", "UserPoolClientId");
    }

    @Test
    void each_alarm_metric_filter_matches_a_line_the_engine_logs() throws Exception {
        String logged = Files.readString(Path.of("routes", "ingest.yaml"))
                + Files.readString(Path.of("engine", "src", "main", "java", "hl7lake", "ingest", "IngestSteps.java"));
        assertThat(template.resources("AWS::Logs::MetricFilter")).isNotEmpty();
        for (Map<String, Object> filter : template.resources("AWS::Logs::MetricFilter").values()) {
            String phrase = String.valueOf(filter.get("FilterPattern")).replace("\"", "");
            assertThat(logged).as(phrase).contains(phrase);
        }
    }

    @Test
    void the_dockerfile_is_multi_stage_pinned_non_root_without_secrets_and_exposes_the_engines_ports() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
        List<String> from = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(from).hasSize(2);
        assertThat(from.get(0)).contains(" AS build");
        assertThat(from).allSatisfy(f -> assertThat(f.split("\\s+")[1]).matches(".+:[^:]*\\d+\\.\\d+[^:]*")
                .doesNotContain(":latest"));
        assertThat(from.get(1)).contains("-jre");
        int user = indexOf(lines, "USER ");
        assertThat(user).isPositive();
        assertThat(lines.get(user)).doesNotContain("root");
        assertThat(user).isLessThan(indexOf(lines, "ENTRYPOINT"));
        assertThat(lines.get(indexOf(lines, "ENTRYPOINT"))).as("the engine starts with the archive the image made")
                .contains("-XX:SharedArchiveFile=/app/hl7lake.jsa");
        // the production jar only: the engine module's, never the full jar with the local lake (docs/decisions.md, "Modules")
        // the full jar only mounted for the class-archive training step, never copied into a layer
        assertThat(String.join("\n", lines)).contains("-pl local -am package",
                        "COPY --from=build /build/engine/target/hl7lake-engine.jar /app/hl7lake.jar", "COPY routes routes",
                        "RUN --mount=type=bind,from=build,source=/build/target/hl7lake.jar",
                        "class-archive --engine-only --engine-jar /app/hl7lake.jar")
                .doesNotContain("COPY --from=build /build/target/hl7lake.jar")
                .containsPattern("EXPOSE .*\\b" + defaults.get("hl7lake.mllp.port") + "\\b")
                .containsPattern("EXPOSE .*\\b" + defaults.get("hl7lake.http.port") + "\\b");
        int health = indexOf(lines, "HEALTHCHECK");
        String probe = lines.get(health) + lines.get(health + 1);
        assertThat(probe).as("an HTTP probe of /observe/health, not a second JVM every interval")
                .contains("curl", ":${HL7LAKE_HTTP_PORT:-" + defaults.get("hl7lake.http.port") + "}/observe/health")
                .doesNotContain("java");
        String upper = String.join("\n", lines).toUpperCase(Locale.ROOT);
        for (String secret : List.of("AWS_ACCESS_KEY", "AWS_SECRET", "PASSWORD", "SECRET_KEY", "TOKEN=")) {
            assertThat(upper).as("no secrets in the image").doesNotContain(secret);
        }
    }

    /** Room a task leaves besides heap and direct memory: metaspace, code cache, thread stacks, GC. */
    private static final long JVM_OWN_MIB = 300;

    @Test
    void the_jvm_is_sized_to_each_task_memory_the_stack_allows() throws Exception {
        Map<String, Object> jvm = template.map(template.root(), "Mappings", "TaskMemoryJvm");
        List<Object> sizes = template.list(template.map(template.root(), "Parameters", "TaskMemory"), "AllowedValues");
        assertThat(jvm.keySet()).containsExactlyInAnyOrderElementsOf(sizes.stream().map(String::valueOf).toList());
        for (Object size : sizes) {
            long taskMib = Long.parseLong(String.valueOf(size));
            Map<String, Object> row = template.map(jvm, String.valueOf(size));
            String options = String.valueOf(row.get("JavaToolOptions"));
            double heapMib = taskMib * percent(options) / 100.0;
            long directMib = directMib(options);
            long capBytes = Long.parseLong(String.valueOf(row.get("MllpMaxBufferedBytes")));
            assertThat(heapMib + directMib + JVM_OWN_MIB).as("heap + direct + the JVM's own, task of " + size + " MiB")
                    .isLessThanOrEqualTo(taskMib);
            assertThat(capBytes).as("MLLP buffers within half the direct memory (HTTP bodies use it too)")
                    .isLessThanOrEqualTo(directMib * 1024 * 1024 / 2);
            assertThat(capBytes).as("one message of the largest size fits").isGreaterThanOrEqualTo(
                    defaults.number("hl7lake.mllp.max-message-bytes"));
        }
        Map<String, Object> task = template.resources("AWS::ECS::TaskDefinition").get("TaskDefinition");
        Map<String, Object> container = template.map(template.list(task, "ContainerDefinitions").get(0));
        Map<String, Object> environment = new java.util.HashMap<>();
        template.list(container, "Environment").stream().map(template::map).forEach(e -> environment.put(
                String.valueOf(e.get("Name")), e.get("Value")));
        assertThat(environment.get("JAVA_TOOL_OPTIONS").toString()).contains("TaskMemoryJvm", "TaskMemory", "JavaToolOptions");
        assertThat(environment.get("HL7LAKE_MLLP_MAX_BUFFERED_BYTES").toString())
                .contains("TaskMemoryJvm", "TaskMemory", "MllpMaxBufferedBytes");
        // the image's own defaults (docker run without the stack) and the engine's are the default task's
        Map<String, Object> standard = template.map(jvm, template.parameterDefault("TaskMemory"));
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        assertThat(dockerfile).contains("JAVA_TOOL_OPTIONS=\"" + standard.get("JavaToolOptions") + "\"")
                .contains("HL7LAKE_MLLP_MAX_BUFFERED_BYTES=" + standard.get("MllpMaxBufferedBytes"));
        assertThat(Long.toString(defaults.number("hl7lake.mllp.max-buffered-bytes")))
                .isEqualTo(String.valueOf(standard.get("MllpMaxBufferedBytes")));
    }

    private static double percent(String options) {
        Matcher m = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)").matcher(options);
        assertThat(m.find()).as(options).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static long directMib(String options) {
        Matcher m = Pattern.compile("-XX:MaxDirectMemorySize=(\\d+)([mg])").matcher(options);
        assertThat(m.find()).as("direct memory is capped (Netty's buffers default to the heap's size again)").isTrue();
        return Long.parseLong(m.group(1)) * (m.group(2).equals("g") ? 1024 : 1);
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
