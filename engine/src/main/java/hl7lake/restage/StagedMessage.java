package hl7lake.restage;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.Map;

/**
 * What restage needs of one accepted message's catalog item: where its exact bytes are (the raw
 * object, or a slice of a drop file's archive), where its staging object is now, and what the
 * pipeline knew when it arrived (door, time, the charset it was read in, the sha256 of its bytes) and
 * the patient the catalog linked it to (null when it names no identifier).
 */
record StagedMessage(String messageId, String rawKey, Long rawOffset, Long rawLength, String stagingKey,
                     String structure, String door, Instant receivedAt, String sha256, String charset, String patientUuid) {

    /** The attributes {@link CatalogScan} asks for. */
    static final String[] ATTRIBUTES = {"message_id", "raw_key", "raw_offset", "raw_length", "staging_key", "structure",
            "door", "received_at", "sha256", "charset", "patient_uuid"};

    static StagedMessage of(Map<String, AttributeValue> item) {
        return new StagedMessage(s(item, "message_id"), s(item, "raw_key"), n(item, "raw_offset"), n(item, "raw_length"),
                s(item, "staging_key"), s(item, "structure"), s(item, "door"), Instant.parse(s(item, "received_at")),
                s(item, "sha256"), s(item, "charset"), s(item, "patient_uuid"));
    }

    /** A slice of a larger raw object (a message of a drop file). */
    boolean inFile() {
        return rawOffset != null && rawLength != null;
    }

    private static String s(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static Long n(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? null : Long.valueOf(value.n());
    }
}
