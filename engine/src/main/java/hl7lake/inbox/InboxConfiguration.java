package hl7lake.inbox;

import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.MessageIndex;
import hl7lake.config.AwsClients;
import hl7lake.lake.LakeConfiguration;
import hl7lake.lake.LakeWriter;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.time.Clock;
import java.time.Duration;

/**
 * The S3 drop folder's beans ({@code hl7lake.inbox.*}) that {@code routes/s3-inbox.yaml} calls:
 * {@code dropFiles} (claim, archive, messages, report, remove, with the claims that share the inbox
 * among engines), {@code fileReports}; with event discovery ({@code hl7lake.inbox.sqs-enabled}, set
 * by {@link InboxDiscovery}) also the SQS client and the event parser. Listed in
 * {@code camel.main.configuration-classes}.
 */
public final class InboxConfiguration implements CamelConfiguration {

    @PropertyInject(value = "hl7lake.inbox.sqs-enabled", defaultValue = "false")
    private boolean sqsEnabled;

    @PropertyInject(value = "hl7lake.aws.sqs-endpoint", defaultValue = "")
    private String sqsEndpoint;

    @PropertyInject("hl7lake.aws.region")
    private String region;

    @PropertyInject("hl7lake.lake.bucket")
    private String bucket;

    @PropertyInject("hl7lake.inbox.prefix")
    private String prefix;

    @BindToRegistry("dropFiles")
    public DropFiles dropFiles(LakeWriter lake, DynamoDbClient dynamo, CatalogTables tables, MessageIndex index,
                               @PropertyInject("hl7lake.inbox.lease-seconds") int leaseSeconds,
                               @PropertyInject("hl7lake.inbox.max-message-bytes") int maxMessageBytes) {
        return new DropFiles(lake, new FileClaims(dynamo, tables, Clock.systemUTC(), Duration.ofSeconds(leaseSeconds)),
                index, prefix, maxMessageBytes, Clock.systemUTC());
    }

    @BindToRegistry("fileReports")
    public FileReports fileReports() {
        return new FileReports();
    }

    /** Only with event discovery: no SQS client where no queue is read. */
    @Override
    public void configure(CamelContext camel) {
        if (sqsEnabled) {
            camel.getRegistry().bind("inboxSqs", SqsClient.class, AwsClients.sqs(LakeConfiguration.uri(sqsEndpoint), region),
                    null, "close");
            camel.getRegistry().bind("inboxEvents", new InboxEvents(bucket, prefix));
            camel.getRegistry().bind("inboxEventOutcomes", new InboxEvents.Outcomes());
        }
    }
}
