package hl7lake.local;

import hl7lake.catalog.CatalogTables;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.local.s3.LocalS3Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The local mode's lake: the S3 server and DynamoDB Local in this JVM on loopback, persisting
 * under the data directory ({@code s3/}, {@code dynamodb/}), with the bucket and the catalog's
 * tables created. Stopped gracefully with the engine.
 */
public final class LocalLake implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalLake.class);

    private final Path s3Directory;
    private final int s3Port;
    private LocalS3Server s3;
    private final EmbeddedDynamoDb dynamo;

    private LocalLake(Path s3Directory, LocalS3Server s3, EmbeddedDynamoDb dynamo) {
        this.s3Directory = s3Directory;
        this.s3 = s3;
        this.s3Port = s3.endpoint().getPort();
        this.dynamo = dynamo;
    }

    public static LocalLake start(EngineSettings settings) {
        try {
            boolean inMemory = settings.flag("hl7lake.local.in-memory");
            Path data = inMemory ? Files.createTempDirectory("hl7lake-") : Files.createDirectories(settings.dataDir());
            Path s3Directory = Files.createDirectories(data.resolve("s3"));
            LocalS3Server s3 = LocalS3Server.start(settings.number("hl7lake.local.s3-port"), s3Directory);
            s3.createBucket(settings.get("hl7lake.lake.bucket"));
            EmbeddedDynamoDb dynamo = EmbeddedDynamoDb.start(settings.number("hl7lake.local.dynamodb-port"),
                    inMemory ? null : Files.createDirectories(data.resolve("dynamodb")));
            try (DynamoDbClient client = AwsClients.dynamo(dynamo.endpoint(), settings.get("hl7lake.aws.region"))) {
                new CatalogTables(settings.get("hl7lake.catalog.table-prefix")).createMissing(client);
            }
            LOG.info("local lake: S3 {} and DynamoDB {} under {}", s3.endpoint(), dynamo.endpoint(),
                    inMemory ? "memory" : data.toAbsolutePath());
            return new LocalLake(s3Directory, s3, dynamo);
        } catch (IOException e) {
            throw new UncheckedIOException("the local lake could not be set up", e);
        }
    }

    public URI s3Endpoint() {
        return URI.create("http://127.0.0.1:" + s3Port);
    }

    public URI dynamoEndpoint() {
        return dynamo.endpoint();
    }

    /** Stops the S3 server alone (tests of storage outages). */
    public void stopS3() {
        s3.close();
    }

    /** Starts the S3 server again on the same port and directory. */
    public void startS3() {
        s3 = LocalS3Server.start(s3Port, s3Directory);
    }

    @Override
    public void close() {
        s3.close();
        dynamo.close();
    }
}
