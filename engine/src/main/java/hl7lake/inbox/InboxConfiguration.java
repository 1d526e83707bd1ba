package hl7lake.inbox;

import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.MessageIndex;
import hl7lake.config.AwsClients;
import hl7lake.lake.LakeConfiguration;
import hl7lake.lake.LakeWriter;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
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

    @BindToRegistry("dropFiles")
    public DropFiles dropFiles(LakeWriter lake, DynamoDbClient dynamo, CatalogTables tables, MessageIndex index,
                               @PropertyInject("hl7lake.inbox.lease-seconds") int leaseSeconds,
                               @PropertyInject("hl7lake.inbox.prefix") String prefix,
                               @PropertyInject("hl7lake.inbox.max-message-bytes") int maxMessageBytes) {
        return new DropFiles(lake, new FileClaims(dynamo, tables, Clock.systemUTC(), Duration.ofSeconds(leaseSeconds)),
                index, prefix, maxMessageBytes, Clock.systemUTC());
    }

    @BindToRegistry("fileReports")
    public FileReports fileReports() {
        return new FileReports();
    }

    // with event discovery only (hl7lake.inbox.sqs-enabled): a method that returns null binds nothing

    @BindToRegistry(value = "inboxSqs", destroyMethod = "close")
    public SqsClient inboxSqs(@PropertyInject(value = "hl7lake.inbox.sqs-enabled", defaultValue = "false") boolean enabled,
                              @PropertyInject(value = "hl7lake.aws.sqs-endpoint", defaultValue = "") String endpoint,
                              @PropertyInject("hl7lake.aws.region") String region) {
        return enabled ? AwsClients.sqs(LakeConfiguration.uri(endpoint), region) : null;
    }

    @BindToRegistry("inboxEvents")
    public InboxEvents inboxEvents(@PropertyInject(value = "hl7lake.inbox.sqs-enabled", defaultValue = "false") boolean enabled,
                                   @PropertyInject("hl7lake.lake.bucket") String bucket,
                                   @PropertyInject("hl7lake.inbox.prefix") String prefix) {
        return enabled ? new InboxEvents(bucket, prefix) : null;
    }

    @BindToRegistry("inboxEventOutcomes")
    public InboxEvents.Outcomes inboxEventOutcomes(
            @PropertyInject(value = "hl7lake.inbox.sqs-enabled", defaultValue = "false") boolean enabled) {
        return enabled ? new InboxEvents.Outcomes() : null;
    }
}
