package hl7lake.ingest;

import hl7lake.catalog.PatientLink;
import hl7lake.convert.Conversion;
import hl7lake.hl7.Hl7Rejection;
import hl7lake.hl7.MessageMetadata;

/**
 * What the pipeline ({@code direct:ingest}, {@code routes/ingest.yaml}) made of one message: the body
 * it hands back to the door, which turns it into its own answer (an ACK, an HTTP reply, a line of a
 * drop file's report). Immutable, and one of three outcomes:
 * <ul>
 *   <li>{@link Accepted}: stored in the raw and staging zones and cataloged (AA, HTTP 200);</li>
 *   <li>{@link Rejected}: stored as received in the error zone with an error record (AE/AR, HTTP 400);</li>
 *   <li>{@link NotStored}: storage failed, nothing is acknowledged, the sender sends it again (AR 207,
 *       HTTP 503, the drop file stays).</li>
 * </ul>
 * A resend of bytes stored before is answered as the first time: an {@link Accepted} or {@link Rejected}
 * with {@link #duplicate()} true, under the first copy's message id, nothing written again.
 */
public sealed interface Ingestion permits Ingestion.Accepted, Ingestion.Rejected, Ingestion.NotStored {

    Inbound inbound();

    /** Ours; for a resend, the id the first copy was stored under; null when storage failed before one was given. */
    String messageId();

    /** What the converter made of the bytes (the header and charset the ACK answers in); null when not converted. */
    Conversion conversion();

    /** These exact bytes were stored before (a resend): answered as the first time, nothing written. */
    boolean duplicate();

    Outcome outcome();

    default String door() {
        return inbound().door();
    }

    /**
     * A message a door did not send through the pipeline because storage had just failed for an
     * earlier message of the same request: a transient failure, nothing stored, send it again.
     */
    static Ingestion notTried(Inbound inbound) {
        return new NotStored(inbound, null, null, "not tried: storage failed for an earlier message of the request");
    }

    /** Stored in the raw zone ({@code rawKey}) and the staging zone ({@code stagingKey}), linked to its patient and cataloged. */
    record Accepted(Inbound inbound, String messageId, String sha256, Conversion conversion, String rawKey,
                    String stagingKey, PatientLink patient, boolean duplicate) implements Ingestion {

        @Override
        public Outcome outcome() {
            return Outcome.ACCEPTED;
        }

        /** The message's metadata; null only for a resend the converter now reads otherwise than the first time. */
        public MessageMetadata metadata() {
            return conversion instanceof Conversion.Accepted accepted ? accepted.metadata() : null;
        }
    }

    /**
     * Kept as received in the error zone ({@code errorKey}; its error id is the message id) with an
     * error record saying why; {@code stage}: where it was rejected, {@code validate} (the converter),
     * {@code catalog} (over a catalog limit) or {@code store} (the store refused its data).
     */
    record Rejected(Inbound inbound, String messageId, String sha256, Conversion conversion, Hl7Rejection rejection,
                    String stage, String rawKey, String errorKey, boolean duplicate) implements Ingestion {

        @Override
        public Outcome outcome() {
            return Outcome.REJECTED;
        }
    }

    /** Storage failed or did not answer in time: nothing acknowledged. {@code failure}: why (exception class, no content). */
    record NotStored(Inbound inbound, String messageId, Conversion conversion, String failure) implements Ingestion {

        @Override
        public boolean duplicate() {
            return false;
        }

        @Override
        public Outcome outcome() {
            return Outcome.TRANSIENT_FAILURE;
        }
    }
}
