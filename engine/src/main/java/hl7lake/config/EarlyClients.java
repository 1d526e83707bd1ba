package hl7lake.config;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.util.List;
import java.util.function.BiFunction;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * An engine's S3 and DynamoDB clients, built on a thread of their own from the moment the engine's
 * settings are known, while Camel reads its routes and the local lake starts: building them loads and
 * initialises most of the AWS SDK, a fifth of the main thread's start-up (docs/decisions.md
 * "Start-up"). The configuration classes take them ({@code LakeConfiguration}, {@code CatalogConfiguration});
 * a client nobody took is closed with the engine.
 */
public final class EarlyClients implements AutoCloseable {

    private final CompletableFuture<S3Client> s3;
    private final CompletableFuture<DynamoDbClient> dynamo;
    private final CompletableFuture<List<String>> missing;

    private EarlyClients(CompletableFuture<S3Client> s3, CompletableFuture<DynamoDbClient> dynamo,
                         CompletableFuture<List<String>> missing) {
        this.s3 = s3;
        this.dynamo = dynamo;
        this.missing = missing;
    }

    /**
     * Starts building both clients ({@link AwsClients}; an endpoint null means AWS itself), then runs
     * {@code check} with them (null: none): in AWS mode, what of the lake and catalog is missing —
     * the clients' first requests, made while Camel still boots.
     */
    public static EarlyClients build(URI s3Endpoint, URI dynamoEndpoint, String region,
                                     BiFunction<S3Client, DynamoDbClient, List<String>> check) {
        CompletableFuture<S3Client> s3 = new CompletableFuture<>();
        CompletableFuture<DynamoDbClient> dynamo = new CompletableFuture<>();
        CompletableFuture<List<String>> missing = new CompletableFuture<>();
        Thread builder = new Thread(() -> {
            complete(s3, () -> AwsClients.s3(s3Endpoint, region));
            complete(dynamo, () -> AwsClients.dynamo(dynamoEndpoint, region));
            complete(missing, () -> check == null ? List.of() : check.apply(join(s3), join(dynamo)));
        }, "aws-clients");
        builder.setDaemon(true);
        builder.start();
        return new EarlyClients(s3, dynamo, missing);
    }

    /** The DynamoDB client for work before the beans exist (the local catalog's tables); its bean still takes it. */
    public DynamoDbClient dynamoBeforeBeans() {
        return join(dynamo);
    }

    /** What the check found missing (empty: nothing, or no check); throws what stopped it. */
    public List<String> missing() {
        return join(missing);
    }

    private static <T> void complete(CompletableFuture<T> future, java.util.function.Supplier<T> client) {
        try {
            future.complete(client.get());
        } catch (RuntimeException | Error e) {
            future.completeExceptionally(e);
        }
    }

    private volatile boolean s3Taken;
    private volatile boolean dynamoTaken;

    /** The S3 client, once built (its taker closes it). */
    public S3Client s3() {
        s3Taken = true;
        return join(s3);
    }

    /** The DynamoDB client, once built (its taker closes it). */
    public DynamoDbClient dynamo() {
        dynamoTaken = true;
        return join(dynamo);
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** Closes a client nobody took (an engine that stopped before its beans were made). */
    @Override
    public void close() {
        if (!s3Taken) {
            s3.thenAccept(S3Client::close);
        }
        if (!dynamoTaken) {
            dynamo.thenAccept(DynamoDbClient::close);
        }
    }
}
