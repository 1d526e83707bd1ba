package hl7lake.inbox;

import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.MessageIndex;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.PropertyInject;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Clock;
import java.time.Duration;

/**
 * The S3 drop folder's beans ({@code hl7lake.inbox.*}): {@code inboxPoller}, which
 * {@code routes/s3-inbox.yaml} calls, with the claims that share the inbox among engines. Listed in
 * {@code camel.main.configuration-classes}.
 */
public final class InboxConfiguration implements CamelConfiguration {

    @BindToRegistry(value = "inboxPoller", destroyMethod = "close")
    public InboxPoller inboxPoller(S3Client s3, DynamoDbClient dynamo, CatalogTables tables, MessageIndex index,
                                   @PropertyInject("hl7lake.lake.bucket") String bucket,
                                   @PropertyInject("hl7lake.inbox.prefix") String prefix,
                                   @PropertyInject("hl7lake.inbox.lease-seconds") int leaseSeconds,
                                   @PropertyInject("hl7lake.inbox.parallelism") int parallelism,
                                   @PropertyInject("hl7lake.inbox.max-message-bytes") int maxMessageBytes) {
        return new InboxPoller(s3, bucket, prefix,
                new FileClaims(dynamo, tables, Clock.systemUTC(), Duration.ofSeconds(leaseSeconds)),
                index, parallelism, maxMessageBytes, Clock.systemUTC());
    }
}
