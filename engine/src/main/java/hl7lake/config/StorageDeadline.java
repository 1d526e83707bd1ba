package hl7lake.config;

import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * One deadline per message for everything the pipeline asks of S3 and DynamoDB
 * ({@code hl7lake.storage.deadline-seconds}): while a pipeline step runs {@link #within} a message's
 * deadline, every SDK call it makes gets the time that is left as its {@code apiCallTimeout} (the
 * SDK's own timeout, which aborts the HTTP request and covers its retries), and a call started after
 * the deadline fails at once with the SDK's {@link ApiCallTimeoutException}. A store that accepts
 * connections but never answers thus costs a message at most its deadline, and the door answers
 * AR 207 / 503 within it. Calls outside a pipeline step (health checks, the drop folder's file
 * copies) keep their own timeouts. Registered on both clients by {@link AwsClients}.
 */
public final class StorageDeadline implements ExecutionInterceptor {

    static final StorageDeadline INTERCEPTOR = new StorageDeadline();
    private static final ThreadLocal<Long> CURRENT = new ThreadLocal<>();

    private StorageDeadline() {
    }

    /** The deadline ({@link System#nanoTime()} based) of a message that starts now with {@code budget}. */
    public static long startingNow(Duration budget) {
        return System.nanoTime() + budget.toNanos();
    }

    /** Runs {@code work} with every storage call it makes bounded by {@code deadlineNanos}. */
    public static <T> T within(long deadlineNanos, Supplier<T> work) {
        Long outer = CURRENT.get();
        CURRENT.set(deadlineNanos);
        try {
            return work.get();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    public static void within(long deadlineNanos, Runnable work) {
        within(deadlineNanos, () -> {
            work.run();
            return null;
        });
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        Long deadline = CURRENT.get();
        SdkRequest request = context.request();
        if (deadline == null || !(request instanceof AwsRequest aws)) {
            return request;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw ApiCallTimeoutException.create("the message's storage deadline has passed", null);
        }
        Duration remaining = Duration.ofNanos(left);
        AwsRequestOverrideConfiguration given = aws.overrideConfiguration().orElse(null);
        if (given != null && given.apiCallTimeout().filter(t -> t.compareTo(remaining) <= 0).isPresent()) {
            return request; // the call's own timeout is shorter
        }
        AwsRequestOverrideConfiguration.Builder config = given == null ? AwsRequestOverrideConfiguration.builder()
                : given.toBuilder();
        return aws.toBuilder().overrideConfiguration(config.apiCallTimeout(remaining).build()).build();
    }
}
