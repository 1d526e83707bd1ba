package hl7lake.ingest;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.util.Optional;
import java.util.Set;

/**
 * Which storage failures are the message's, not the store's. A store that does not answer (refused or
 * dropped connections, timeouts, the message's deadline), throttles or fails (5xx), or refuses us
 * (credentials, a missing table or bucket) is transient: nothing is acknowledged and the sender sends
 * the message again. A request the store answers as invalid (DynamoDB's ValidationException, a
 * transaction cancelled for a ValidationError, S3's size and argument errors) fails the same way every
 * time for these bytes: that is a message the store cannot take, answered as a rejection.
 */
final class StorageFailures {

    private static final Set<String> INVALID_REQUEST = Set.of("ValidationException",
            "ItemCollectionSizeLimitExceededException", "EntityTooLarge", "KeyTooLongError", "MetadataTooLarge",
            "InvalidTag", "InvalidArgument");
    private static final Set<String> INVALID_ITEM = Set.of("ValidationError", "ItemCollectionSizeLimitExceeded");

    private StorageFailures() {
    }

    /** The store's error code when {@code failure} is a request it refused as invalid; empty when transient. */
    static Optional<String> refusedAsInvalid(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SdkClientException) {
                return Optional.empty(); // no answer from the store
            }
            if (cause instanceof TransactionCanceledException cancelled) {
                return cancelled.hasCancellationReasons() && cancelled.cancellationReasons().stream()
                        .map(CancellationReason::code).anyMatch(INVALID_ITEM::contains)
                        ? Optional.of("TransactionCanceledException (ValidationError)") : Optional.empty();
            }
            if (cause instanceof AwsServiceException service) {
                String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
                boolean invalid = !service.isThrottlingException() && service.statusCode() >= 400
                        && service.statusCode() < 500 && code != null && INVALID_REQUEST.contains(code);
                return invalid ? Optional.of(code) : Optional.empty();
            }
        }
        return Optional.empty();
    }
}
