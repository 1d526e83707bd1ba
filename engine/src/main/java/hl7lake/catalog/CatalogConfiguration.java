package hl7lake.catalog;

import hl7lake.config.EarlyClients;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.PropertyInject;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The catalog's beans ({@code hl7lake.catalog.*}): the DynamoDB client, the tables, the message index,
 * the patient cross-reference and the catalog's limits. In AWS mode the start fails here, naming the
 * bucket or tables that are missing (the stack in {@code cloudformation/} creates them; local mode
 * creates its own). Listed in {@code camel.main.configuration-classes}, after the lake's.
 */
public final class CatalogConfiguration implements CamelConfiguration {

    @PropertyInject("hl7lake.mode")
    private String mode;

    /** Built beside Camel's boot from {@code hl7lake.aws.dynamodb-endpoint} and {@code hl7lake.aws.region} ({@link EarlyClients}). */
    @BindToRegistry(value = "dynamo", destroyMethod = "close")
    public DynamoDbClient dynamo(EarlyClients early) {
        return early.dynamo();
    }

    @BindToRegistry("catalogTables")
    public CatalogTables catalogTables(@PropertyInject("hl7lake.catalog.table-prefix") String prefix) {
        return new CatalogTables(prefix);
    }

    /**
     * In AWS mode the bucket and tables are checked here, as the catalog is bound: before any door's
     * beans, so that what is missing is named first (the doors' own settings are checked after).
     * The check itself ran beside Camel's boot ({@link #missing}, {@link EarlyClients}).
     */
    @BindToRegistry("messageIndex")
    public MessageIndex messageIndex(DynamoDbClient dynamo, CatalogTables tables, EarlyClients early) {
        if ("aws".equals(mode)) {
            List<String> missing = early.missing();
            if (!missing.isEmpty()) {
                throw new IllegalStateException("AWS mode: missing " + String.join(", ", missing)
                        + " (deploy the stack in cloudformation/ or set hl7lake.lake.bucket / hl7lake.catalog.table-prefix)");
            }
        }
        return new MessageIndex(dynamo, tables);
    }

    @BindToRegistry("patientCrossReference")
    public PatientCrossReference patientCrossReference(DynamoDbClient dynamo, CatalogTables tables) {
        return new PatientCrossReference(dynamo, tables, Clock.systemUTC());
    }

    @BindToRegistry("catalogLimits")
    public CatalogLimits catalogLimits(@PropertyInject("hl7lake.catalog.max-patient-identifiers") int maxIdentifiers) {
        return new CatalogLimits(maxIdentifiers);
    }

    /** AWS mode: what of the bucket and the tables does not exist, named for the start's failure. */
    public static List<String> missing(S3Client s3, DynamoDbClient dynamo, String bucket, CatalogTables tables) {
        List<String> missing = new ArrayList<>();
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException e) {
            missing.add("S3 bucket " + bucket);
        }
        tables.missing(dynamo).forEach(table -> missing.add("DynamoDB table " + table));
        return missing;
    }
}
