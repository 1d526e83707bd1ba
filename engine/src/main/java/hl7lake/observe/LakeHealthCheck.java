package hl7lake.observe;

import hl7lake.catalog.CatalogTables;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Duration;
import java.util.Map;

/**
 * Readiness of the lake: up only when S3 (the bucket) and DynamoDB (the messages table) answer,
 * each within two seconds. Not a liveness check: a storage outage is a reason to stop sending the
 * engine traffic, not to restart it.
 */
public final class LakeHealthCheck extends AbstractHealthCheck {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final S3Client s3;
    private final DynamoDbClient dynamo;
    private final String bucket;
    private final String table;

    public LakeHealthCheck(S3Client s3, DynamoDbClient dynamo, String bucket, CatalogTables tables) {
        super("hl7lake", "lake");
        this.s3 = s3;
        this.dynamo = dynamo;
        this.bucket = bucket;
        this.table = tables.messages();
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String s3State = probe(() -> s3.headBucket(b -> b.bucket(bucket).overrideConfiguration(o -> o.apiCallTimeout(TIMEOUT))));
        String dynamoState = probe(() -> dynamo.describeTable(b -> b.tableName(table)
                .overrideConfiguration(o -> o.apiCallTimeout(TIMEOUT))));
        builder.detail("s3", s3State).detail("dynamodb", dynamoState);
        if (s3State.equals("UP") && dynamoState.equals("UP")) {
            builder.up();
        } else {
            builder.message("lake storage is not answering").down();
        }
    }

    private static String probe(Runnable call) {
        try {
            call.run();
            return "UP";
        } catch (RuntimeException e) {
            return "DOWN (" + e.getClass().getSimpleName() + ")";
        }
    }
}
