package hl7lake.ingest;

import hl7lake.catalog.MessageIndex;
import hl7lake.catalog.PatientLink;
import hl7lake.convert.Conversion;
import hl7lake.hl7.Hl7Rejection;
import hl7lake.lake.LakeKeys;

/**
 * A message between two steps of the pipeline route ({@code routes/ingest.yaml}): the exchange body
 * from {@code receive} until the last write makes it an {@link Ingestion}. The route's content-based
 * routers read which of these it is ({@code ${body} is '…'}). Immutable: a step that learns something
 * returns a new one. Each carries the message's storage deadline ({@link System#nanoTime()} based).
 */
public sealed interface Pending permits Pending.Received, Pending.Resent, Pending.Valid, Pending.Invalid {

    /** A message with its id (new, or the id an earlier attempt that stopped before its record had given it). */
    record Received(Inbound inbound, String sha256, String messageId, long deadline) implements Pending {

        /** Where its exact bytes are: the drop file's archive, or a raw object of its own. */
        public String rawKey() {
            return inbound.rawKey() != null ? inbound.rawKey() : LakeKeys.raw(messageId);
        }

        /** True when the pipeline writes the raw object (a drop file's message already has one). */
        public boolean needsRawObject() {
            return inbound.rawKey() == null;
        }
    }

    /** The same content was stored before under {@code messageId}: answered as the first time, nothing written. */
    record Resent(Inbound inbound, String sha256, String messageId, MessageIndex.StoredCopy first, long deadline)
            implements Pending {
    }

    /**
     * Converted and within the catalog's limits: for the staging zone ({@code stagingKey}) and the
     * catalog; {@code patient} once linked.
     */
    record Valid(Received received, Conversion.Accepted conversion, String stagingKey, PatientLink patient)
            implements Pending {

        Valid withPatient(PatientLink linked) {
            return new Valid(received, conversion, stagingKey, linked);
        }
    }

    /**
     * Rejected by the converter, a catalog limit or the store: for the error zone ({@code errorKey}) and
     * an error record; {@code stage} as {@link Ingestion.Rejected#stage()}.
     */
    record Invalid(Received received, Conversion conversion, Hl7Rejection rejection, String stage, String errorKey)
            implements Pending {
    }
}
