package hl7lake.inbox;

import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.config.AwsClients;
import hl7lake.local.FreePorts;
import org.apache.camel.builder.NotifyBuilder;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * AWS mode's discovery: the bucket's object events through an SQS queue (ElasticMQ in-process, the
 * real SDK over a socket), consumed by two engines on one lake. The test publishes what S3 publishes
 * (event notifications with URL-encoded keys, S3's test event, and some events twice, as S3 may send
 * them): every message of every file is cataloged exactly once, and every event message is deleted,
 * none left in the dead-letter queue.
 */
class InboxQueueTest {

    static String event(String bucket, String key, String etag, long size, long sequence) {
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
        return """
                {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",\
                "eventTime":"2026-11-27T21:00:00.000Z","eventName":"ObjectCreated:Put",\
                "userIdentity":{"principalId":"AWS:AIDAEXAMPLE"},"requestParameters":{"sourceIPAddress":"127.0.0.1"},\
                "responseElements":{"x-amz-request-id":"C3D13FE58DE4C810","x-amz-id-2":"FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S"},\
                "s3":{"s3SchemaVersion":"1.0","configurationId":"inbox-events",\
                "bucket":{"name":"%s","ownerIdentity":{"principalId":"A3NL1KOZZKEXAMPLE"},"arn":"arn:aws:s3:::%s"},\
                "object":{"key":"%s","size":%d,"eTag":"%s","sequencer":"%016X"}}}]}"""
                .formatted(bucket, bucket, encoded, size, etag.replace("\"", ""), sequence);
    }

    @Test
    void two_engines_on_one_queue_catalog_every_message_of_200_files_once() throws Exception {
        int port = FreePorts.find();
        SQSRestServer sqsServer = SQSRestServerBuilder.withPort(port).withInterface("127.0.0.1")
                .withServerAddress(new NodeAddress("http", "127.0.0.1", port, "")).start();
        sqsServer.waitUntilStarted();
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        try (SqsClient sqs = AwsClients.sqs(endpoint, "us-east-1")) {
            String dlq = sqs.createQueue(b -> b.queueName("hl7lake-inbox-dlq")).queueUrl();
            String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            String queue = sqs.createQueue(b -> b.queueName("hl7lake-inbox").attributes(Map.of(
                    QueueAttributeName.VISIBILITY_TIMEOUT, "30",
                    QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"10\"}")))
                    .queueUrl();
            Map<String, String> queueSettings = Map.of("hl7lake.inbox.discovery", "sqs", "hl7lake.inbox.queue-url", queue,
                    "hl7lake.aws.sqs-endpoint", endpoint.toString(), "hl7lake.inbox.visibility-seconds", "30",
                    "hl7lake.inbox.lease-seconds", "5");
            try (Engine first = Engine.start(TestEngines.local(queueSettings));
                 Engine second = Engine.start(TestEngines.with(merge(queueSettings, Map.of("hl7lake.mode", "aws",
                         "hl7lake.aws.s3-endpoint", first.local().s3Endpoint().toString(),
                         "hl7lake.aws.dynamodb-endpoint", first.local().dynamoEndpoint().toString()))));
                 LakeProbe lake = new LakeProbe(first.local().s3Endpoint(), first.local().dynamoEndpoint())) {
                assertThat(first.camel().getRoute("s3-inbox-events")).isNotNull();
                assertThat(first.camel().getRoute("s3-inbox-poll")).as("no listing of the inbox with a queue").isNull();
                NotifyBuilder byFirst = new NotifyBuilder(first.camel()).fromRoute("s3-inbox-events").whenCompleted(1).create();
                NotifyBuilder bySecond = new NotifyBuilder(second.camel()).fromRoute("s3-inbox-events").whenCompleted(1).create();

                // what S3 sends when the notification is configured: no file, deleted
                sqs.sendMessage(b -> b.queueUrl(queue).messageBody("{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\","
                        + "\"Time\":\"2026-11-27T21:00:00.000Z\",\"Bucket\":\"hl7lake\",\"RequestId\":\"5582815E1AEA5ADF\","
                        + "\"HostId\":\"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE\"}"));
                int files = 200;
                int perFile = 3;
                for (int f = 0; f < files; f++) {
                    String key = "raw/inbox/queued " + f + " é.hl7";
                    byte[] content = LakeProbe.generated("QUEUED" + f, perFile);
                    String etag = lake.s3.putObject(b -> b.bucket("hl7lake").key(key), RequestBody.fromBytes(content)).eTag();
                    String body = event("hl7lake", key, etag, content.length, f);
                    sqs.sendMessage(b -> b.queueUrl(queue).messageBody(body));
                    if (f % 10 == 0) { // S3 may deliver an event more than once
                        sqs.sendMessage(b -> b.queueUrl(queue).messageBody(body));
                    }
                }
                await().atMost(Duration.ofSeconds(300)).until(() -> lake.keys("raw/inbox/").isEmpty()
                        && messages(sqs, queue) == 0);
                assertThat(byFirst.matches(1, TimeUnit.SECONDS) && bySecond.matches(1, TimeUnit.SECONDS))
                        .as("both engines took events").isTrue();
                Map<String, Integer> cataloged = lake.cataloged();
                for (int f = 0; f < files; f++) {
                    for (int m = 0; m < perFile; m++) {
                        assertThat(cataloged.get("QUEUED" + f + "-" + m)).as("QUEUED" + f + "-" + m).isEqualTo(1);
                    }
                }
                List<String> reports = lake.keys("raw/files/").stream().filter(k -> k.endsWith(".report.json")).toList();
                assertThat(reports).hasSize(files);
                assertThat(messages(sqs, dlq)).as("nothing in the dead-letter queue").isZero();
            }
        } finally {
            sqsServer.stopAndWait();
        }
    }

    /** Messages in the queue, visible or in flight. */
    private static int messages(SqsClient sqs, String queue) {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queue).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> all = new java.util.HashMap<>(a);
        all.putAll(b);
        return all;
    }
}
