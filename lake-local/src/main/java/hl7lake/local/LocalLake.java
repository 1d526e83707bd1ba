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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The local mode's lake: the S3 server and DynamoDB Local in this JVM on loopback, persisting
 * under the data directory ({@code s3/}, {@code dynamodb/}), with the bucket created (the engine
 * creates the catalog's tables once it is up). Stopped gracefully with the engine.
 */
public final class LocalLake implements LocalMode.Lake {

    private static final Logger LOG = LoggerFactory.getLogger(LocalLake.class);

    private final Path s3Directory;
    private final int s3Port;
    private final int dynamoPort;
    private final CompletableFuture<LocalS3Server> s3Started;
    private final CompletableFuture<EmbeddedDynamoDb> dynamoStarted;
    private final String where;
    private LocalS3Server s3;
    private EmbeddedDynamoDb dynamo;
    private boolean closed;

    private LocalLake(Path s3Directory, int s3Port, int dynamoPort, CompletableFuture<LocalS3Server> s3Started,
                      CompletableFuture<EmbeddedDynamoDb> dynamoStarted, String where) {
        this.s3Directory = s3Directory;
        this.s3Port = s3Port;
        this.dynamoPort = dynamoPort;
        this.s3Started = s3Started;
        this.dynamoStarted = dynamoStarted;
        this.where = where;
    }

    /**
     * Begins starting the S3 server (with the bucket) and DynamoDB Local, side by
     * side and beside whatever the caller does next; with configured ports their endpoints are known
     * at once. {@link #awaitStarted} waits for both (docs/decisions.md, "Start-up").
     */
    public static LocalLake start(Path dataDir, int s3Port, int dynamoPort, String bucket) {
        boolean inMemory = dataDir == null;
        Path data;
        Path s3Directory;
        Path dynamoDirectory;
        try {
            data = inMemory ? Files.createTempDirectory("hl7lake-") : Files.createDirectories(dataDir);
            s3Directory = Files.createDirectories(data.resolve("s3"));
            dynamoDirectory = inMemory ? null : Files.createDirectories(data.resolve("dynamodb"));
        } catch (IOException e) {
            throw new UncheckedIOException("the local lake could not be set up", e);
        }
        CompletableFuture<LocalS3Server> s3 = CompletableFuture.supplyAsync(() -> {
            LocalS3Server server = LocalS3Server.start(s3Port, s3Directory);
            try {
                server.createBucket(bucket);
                return server;
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }, starter("local-s3-start"));
        CompletableFuture<EmbeddedDynamoDb> dynamo = CompletableFuture.supplyAsync(
                () -> EmbeddedDynamoDb.start(dynamoPort, dynamoDirectory), starter("local-dynamodb-start"));
        return new LocalLake(s3Directory, s3Port, dynamoPort, s3, dynamo, inMemory ? "memory" : data.toAbsolutePath().toString());
    }

    /** Waits until both servers answer and the bucket and tables exist; throws what stopped either. */
    @Override
    public synchronized void awaitStarted() {
        if (s3 != null && dynamo != null) {
            return;
        }
        try {
            CompletableFuture.allOf(s3Started, dynamoStarted).join();
        } catch (CompletionException e) {
            close(); // what did start
            throw e.getCause() instanceof RuntimeException cause ? cause
                    : new IllegalStateException("the local lake did not start: " + e.getCause(), e.getCause());
        }
        s3 = s3Started.join();
        dynamo = dynamoStarted.join();
        LOG.info("local lake: S3 {} and DynamoDB {} under {}", s3.endpoint(), dynamo.endpoint(), where);
    }

    private static Executor starter(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.start();
        };
    }

    /** At once for a configured port; for port 0 (tests, benchmarks) once the server listens on the one it chose. */
    @Override
    public URI s3Endpoint() {
        return URI.create("http://127.0.0.1:" + (s3Port != 0 ? s3Port : started(s3Started).endpoint().getPort()));
    }

    /** At once for a configured port; for port 0 (tests, benchmarks) once the server listens on the one it chose. */
    @Override
    public URI dynamoEndpoint() {
        return dynamoPort != 0 ? URI.create("http://127.0.0.1:" + dynamoPort) : started(dynamoStarted).endpoint();
    }

    private static <T> T started(CompletableFuture<T> server) {
        try {
            return server.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause
                    : new IllegalStateException("the local lake did not start: " + e.getCause(), e.getCause());
        }
    }

    /** Stops the S3 server alone (tests of storage outages). */
    @Override
    public synchronized void stopS3() {
        awaitStarted();
        s3.close();
    }

    /** Starts the S3 server again on the same port and directory. */
    @Override
    public synchronized void startS3() {
        s3 = LocalS3Server.start(s3Endpoint().getPort(), s3Directory);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (s3 == null || dynamo == null) {
            // not started yet, or one failed: stop what did start, once it has
            try {
                CompletableFuture.allOf(s3Started, dynamoStarted).join();
            } catch (CompletionException failed) {
                // reported by awaitStarted
            }
            s3Started.thenAccept(LocalS3Server::close);
            dynamoStarted.thenAccept(EmbeddedDynamoDb::close);
            return;
        }
        s3.close();
        dynamo.close();
    }
}
