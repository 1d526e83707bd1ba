package hl7lake.local;

import hl7lake.local.s3.LocalS3Server;
import hl7lake.spi.LocalMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The local mode's lake: the S3 server and DynamoDB Local in this JVM on loopback, persisting
 * under the data directory ({@code s3/}, {@code dynamodb/}), with the bucket created (the engine
 * creates the catalog's tables). Stopped gracefully with the engine.
 */
public final class LocalLake implements LocalMode.Lake {

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

    /** See {@link LocalMode#startLake}: under {@code dataDir}, or in memory when it is null. */
    public static LocalLake start(Path dataDir, int s3Port, int dynamoPort, String bucket) {
        try {
            boolean inMemory = dataDir == null;
            Path data = inMemory ? Files.createTempDirectory("hl7lake-") : Files.createDirectories(dataDir);
            Path s3Directory = Files.createDirectories(data.resolve("s3"));
            LocalS3Server s3 = LocalS3Server.start(s3Port, s3Directory);
            s3.createBucket(bucket);
            EmbeddedDynamoDb dynamo = EmbeddedDynamoDb.start(dynamoPort,
                    inMemory ? null : Files.createDirectories(data.resolve("dynamodb")));
            LOG.info("local lake: S3 {} and DynamoDB {} under {}", s3.endpoint(), dynamo.endpoint(),
                    inMemory ? "memory" : data.toAbsolutePath());
            return new LocalLake(s3Directory, s3, dynamo);
        } catch (IOException e) {
            throw new UncheckedIOException("the local lake could not be set up", e);
        }
    }

    @Override
    public URI s3Endpoint() {
        return URI.create("http://127.0.0.1:" + s3Port);
    }

    @Override
    public URI dynamoEndpoint() {
        return dynamo.endpoint();
    }

    @Override
    public void stopS3() {
        s3.close();
    }

    @Override
    public void startS3() {
        s3 = LocalS3Server.start(s3Port, s3Directory);
    }

    @Override
    public void close() {
        s3.close();
        dynamo.close();
    }
}
