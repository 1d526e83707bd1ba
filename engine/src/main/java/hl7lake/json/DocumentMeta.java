package hl7lake.json;

import hl7lake.hl7.Warning;

import java.time.Instant;
import java.util.List;

/**
 * The {@code meta} object of a document: our ids and lineage, and what analysts filter on without
 * unnesting (sender, control id, event, message time, patient identifiers). {@code raw} is null when
 * the message has no raw object (the {@code convert} command); {@code patientUuid} is null when the
 * patient is not known at conversion (the catalog links it afterwards); {@code messageTime} is MSH-7
 * as sent.
 */
public record DocumentMeta(String messageId, String door, Instant receivedAt, String raw, String sha256,
                           String version, String structure, String messageType, String triggerEvent,
                           String sendingApplication, String sendingFacility, String controlId,
                           String messageTime, String patientUuid, List<String> patientIds,
                           String charset, List<Warning> warnings, int warningCount) {

    /** The document shape's version, in every document's meta; raised when the shape changes. */
    public static final int SCHEMA_VERSION = 2;
}
