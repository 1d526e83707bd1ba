package hl7lake.refine;

import hl7lake.catalog.CatalogTables;
import hl7lake.lake.MessageIds;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.PropertyInject;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The refined zone's beans ({@code hl7lake.refine.*}): {@code refineCompaction}, which
 * {@code routes/refine.yaml} calls on its schedule. Listed in {@code camel.main.configuration-classes}.
 */
public final class RefineConfiguration implements CamelConfiguration {

    @BindToRegistry("refineCompaction")
    public Compaction refineCompaction(S3Client s3, DynamoDbClient dynamo, CatalogTables tables,
                                       @PropertyInject("hl7lake.lake.bucket") String bucket,
                                       @PropertyInject("hl7lake.refine.threads") int threads,
                                       @PropertyInject("hl7lake.refine.duckdb-memory") String memory,
                                       @PropertyInject("hl7lake.refine.keep-minutes") int keepMinutes,
                                       @PropertyInject("hl7lake.refine.lease-seconds") int leaseSeconds,
                                       @PropertyInject(value = "hl7lake.refine.temp-dir", defaultValue = "") String tempDir) {
        return compaction(s3, dynamo, tables, bucket, threads, memory, keepMinutes, leaseSeconds, tempDir, "engine-" + MessageIds.next());
    }

    /** The same for the {@code refine} command and the benchmark. */
    public static Compaction compaction(S3Client s3, DynamoDbClient dynamo, CatalogTables tables, String bucket, int threads,
                                        String memory, int keepMinutes, int leaseSeconds, String tempDir, String owner) {
        Clock clock = Clock.systemUTC();
        Refinery refinery = new Refinery(s3, dynamo, tables, bucket, new Refinery.Settings(threads, memory,
                Duration.ofMinutes(keepMinutes), Path.of(tempDir == null || tempDir.isBlank() ? System.getProperty("java.io.tmpdir")
                : tempDir)), clock);
        return new Compaction(refinery, new RefineClaims(dynamo, tables, clock, Duration.ofSeconds(leaseSeconds)), clock, owner);
    }
}
