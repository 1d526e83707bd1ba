package hl7lake.api;

import hl7lake.catalog.MessageIndex;
import hl7lake.config.StorageDeadline;
import hl7lake.convert.MessageConverter;
import hl7lake.ingest.Inbound;
import hl7lake.ingest.IngestSteps;
import hl7lake.ingest.Ingestion;
import hl7lake.ingest.Pending;
import hl7lake.lake.MessageIds;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Replays a rejected message: the error zone's exact bytes through the pipeline's own steps
 * ({@link IngestSteps}: raw, convert under the validation profile in force now, patient, staging,
 * record — or error zone and error record again), under a message id claimed once per error
 * ({@link MessageIndex#claimReplay}), so a replay repeated or run twice at once stores one result.
 * The content claim is not consulted: it names the rejected copy, which is what is being replayed.
 * The result and the error are linked both ways ({@link MessageIndex#linkReplay}); a replay of an
 * error that was replayed before answers that first result.
 */
public final class Replayer {

    private final IngestSteps steps;
    private final MessageIndex index;
    private final S3Client s3;
    private final String bucket;
    private final Duration deadline;
    private final Clock clock;

    public Replayer(IngestSteps steps, MessageIndex index, S3Client s3, String bucket, Duration deadline, Clock clock) {
        this.steps = steps;
        this.index = index;
        this.s3 = s3;
        this.bucket = bucket;
        this.deadline = deadline;
        this.clock = clock;
    }

    /** The result: {@code error_id}, {@code message_id} (the replay's), {@code outcome}, {@code replayed_before}. */
    public Map<String, Object> replay(String errorId) throws ApiProblem.NotFound {
        Map<String, AttributeValue> error = index.error(errorId)
                .orElseThrow(() -> new ApiProblem.NotFound("no error " + errorId));
        if (error.containsKey("replayed_as")) {
            String first = error.get("replayed_as").s();
            Optional<Map<String, AttributeValue>> stored = index.message(first);
            return result(errorId, first, stored.isPresent(), true,
                    stored.isPresent() ? null : index.error(first).orElse(null));
        }
        String messageId = index.claimReplay(errorId, MessageIds.next());
        Optional<Map<String, AttributeValue>> done = index.message(messageId);
        Map<String, AttributeValue> rejectedAgain = done.isPresent() ? null : index.error(messageId).orElse(null);
        boolean accepted;
        if (done.isPresent() || rejectedAgain != null) { // an earlier replay stored its result, then stopped before linking
            accepted = done.isPresent();
        } else {
            byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(error.get("error_key").s())).asByteArray();
            String door = error.containsKey("door") ? error.get("door").s() : "replay";
            Instant now = clock.instant();
            Pending.Received received = new Pending.Received(Inbound.of(bytes, door, now), MessageConverter.sha256(bytes),
                    messageId, StorageDeadline.startingNow(deadline));
            steps.writeRaw(received);
            Pending converted = steps.convert(received);
            if (converted instanceof Pending.Valid valid) {
                Pending.Valid linked = steps.linkPatient(valid);
                steps.writeStaging(linked);
                Ingestion ingestion = steps.recordMessage(linked);
                accepted = ingestion instanceof Ingestion.Accepted;
            } else {
                Pending.Invalid invalid = (Pending.Invalid) converted;
                steps.writeError(invalid);
                steps.recordError(invalid);
                accepted = false;
            }
            rejectedAgain = accepted ? null : index.error(messageId).orElse(null);
        }
        index.linkReplay(errorId, messageId, accepted, clock.instant().toString());
        return result(errorId, messageId, accepted, false, rejectedAgain);
    }

    private static Map<String, Object> result(String errorId, String messageId, boolean accepted, boolean before,
                                              Map<String, AttributeValue> rejected) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("error_id", errorId);
        result.put("message_id", messageId);
        result.put("outcome", accepted ? "accepted" : "rejected");
        result.put("replayed_before", before);
        if (rejected != null) {
            result.put("code", rejected.containsKey("code") ? Integer.valueOf(rejected.get("code").n()) : null);
            result.put("location", rejected.containsKey("location") ? rejected.get("location").s() : null);
            result.put("reason", rejected.containsKey("reason") ? rejected.get("reason").s() : null);
        }
        return result;
    }
}
