package hl7lake.api;

import hl7lake.catalog.CatalogTables;
import hl7lake.catalog.MessageIndex;
import hl7lake.http.HttpConfiguration;
import hl7lake.ingest.IngestSteps;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Clock;
import java.time.Duration;

/**
 * The query API's beans ({@code hl7lake.api.*}): {@code api}, the steps of {@code routes/api.yaml},
 * with its own verifier of the HTTP door's tokens ({@code hl7lake.http.auth.*}), the audit log and the
 * replay of rejected messages through the pipeline's steps.
 * Listed in {@code camel.main.configuration-classes}, after the catalog's and the HTTP server's.
 */
public final class ApiConfiguration implements CamelConfiguration {

    /** When the API yields to ingest ({@code routes/api.yaml}); a setting out of its bounds stops the start here. */
    @BindToRegistry("apiAdmission")
    public ApiAdmission apiAdmission(@PropertyInject(ApiAdmission.RATE) int rate,
                                     @PropertyInject(ApiAdmission.QUEUE) int queue) {
        return new ApiAdmission(rate, queue);
    }

    /** The admission's route policy on {@code ingest}, which tells it when the last message was done. */
    @Override
    public void configure(CamelContext camel) {
        camel.addRoutePolicyFactory(camel.getRegistry().lookupByNameAndType("apiAdmission", ApiAdmission.class));
    }

    /** Bound even when the API is off (its route is then not started, but is still built). */
    @BindToRegistry("api")
    public Api api(DynamoDbClient dynamo, CatalogTables tables, S3Client s3, IngestSteps steps, MessageIndex index,
                   @PropertyInject("hl7lake.storage.deadline-seconds") int deadlineSeconds,
                   @PropertyInject("hl7lake.lake.bucket") String bucket,
                   @PropertyInject("hl7lake.api.enabled") boolean enabled,
                   @PropertyInject(value = "hl7lake.http.auth.issuer", defaultValue = "") String issuer,
                   @PropertyInject(value = "hl7lake.http.auth.jwks-url", defaultValue = "") String jwks,
                   @PropertyInject(value = "hl7lake.http.auth.client-id", defaultValue = "") String clientId,
                   @PropertyInject("hl7lake.http.auth.clock-skew-seconds") int clockSkewSeconds,
                   @PropertyInject("hl7lake.http.auth.jwks-refetch-seconds") int refetchSeconds) {
        Clock clock = Clock.systemUTC();
        return new Api(enabled ? HttpConfiguration.tokenVerifier(issuer, jwks, clientId, clockSkewSeconds, refetchSeconds)
                : null, new CatalogReader(dynamo, tables), tables, s3, bucket, new AuditLog(s3, bucket, clock), clock,
                new Replayer(steps, index, s3, bucket, Duration.ofSeconds(deadlineSeconds), clock));
    }
}
