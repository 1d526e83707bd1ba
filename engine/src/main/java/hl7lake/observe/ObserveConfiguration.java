package hl7lake.observe;

import hl7lake.catalog.CatalogTables;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.PropertyInject;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What /observe serves besides Camel's own: the pipeline's metrics (the last step of
 * {@code routes/ingest.yaml}) and the lake's readiness check. Listed in {@code camel.main.configuration-classes}.
 */
public final class ObserveConfiguration implements CamelConfiguration {

    @BindToRegistry("ingestMetrics")
    public IngestMetrics ingestMetrics() {
        return new IngestMetrics();
    }

    @BindToRegistry("lakeHealthCheck")
    public LakeHealthCheck lakeHealthCheck(S3Client s3, DynamoDbClient dynamo, CatalogTables tables,
                                           @PropertyInject("hl7lake.lake.bucket") String bucket) {
        return new LakeHealthCheck(s3, dynamo, bucket, tables);
    }
}
