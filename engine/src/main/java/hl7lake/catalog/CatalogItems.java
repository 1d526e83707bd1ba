package hl7lake.catalog;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The DynamoDB items of the messages and errors tables: values in, items out. {@code sender_control}
 * is a GSI key: over {@link CatalogLimits#MAX_KEY_BYTES} it is its hash, the whole control id being in
 * {@code control_id}. An error record takes any message, so its control id is cut to a hash when over
 * {@link CatalogLimits#MAX_VALUE_BYTES}; a message item's values were checked against that limit before.
 */
public final class CatalogItems {

    private CatalogItems() {
    }

    public static Map<String, AttributeValue> message(MessageRecord r) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        put(item, "message_id", r.messageId());
        put(item, "control_id", CatalogLimits.value(r.controlId()));
        put(item, "sender_control", CatalogLimits.key(r.senderControl()));
        put(item, "sending_application", r.sendingApplication());
        put(item, "sending_facility", r.sendingFacility());
        put(item, "receiving_application", r.receivingApplication());
        put(item, "receiving_facility", r.receivingFacility());
        put(item, "structure", r.structure());
        put(item, "message_type", r.messageType());
        put(item, "trigger_event", r.triggerEvent());
        put(item, "version", r.version());
        put(item, "message_time", r.messageTime());
        put(item, "received_at", r.receivedAt().toString());
        put(item, "day", day(r.receivedAt()));
        put(item, "door", r.door());
        put(item, "raw_key", r.rawKey());
        number(item, "raw_offset", r.rawOffset());
        number(item, "raw_length", r.rawLength());
        put(item, "staging_key", r.stagingKey());
        put(item, "patient_uuid", r.patientUuid()); // absent when no identifier: the GSI stays sparse
        if (!r.patientConflicts().isEmpty()) {
            item.put("patient_conflicts", AttributeValue.fromSs(r.patientConflicts()));
        }
        put(item, "sha256", r.sha256());
        put(item, "charset", r.charset());
        item.put("warning_count", AttributeValue.fromN(Integer.toString(r.warningCount())));
        if (r.controlIdReused()) {
            item.put("control_id_reused", AttributeValue.fromBool(true));
        }
        return item;
    }

    public static Map<String, AttributeValue> error(ErrorRecord r) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        put(item, "error_id", r.errorId());
        put(item, "error_key", r.errorKey());
        put(item, "stage", r.stage());
        item.put("code", AttributeValue.fromN(Integer.toString(r.code())));
        put(item, "location", r.location());
        put(item, "reason", r.reason());
        put(item, "ack_code", r.ackCode());
        put(item, "received_at", r.receivedAt().toString());
        put(item, "day", day(r.receivedAt()));
        put(item, "door", r.door());
        put(item, "raw_key", r.rawKey());
        put(item, "sha256", r.sha256());
        put(item, "control_id", CatalogLimits.value(r.controlId()));
        return item;
    }

    /** {@code day} (yyyy-mm-dd, UTC), the key of the tables' {@link CatalogTables#DAY_INDEX}: a day's items, by time. */
    public static String day(java.time.Instant at) {
        return java.time.LocalDate.ofInstant(at, java.time.ZoneOffset.UTC).toString();
    }

    /** Empty and null strings are left out: DynamoDB rejects empty key attributes, and absent reads as absent. */
    private static void put(Map<String, AttributeValue> item, String name, String value) {
        if (value != null && !value.isEmpty()) {
            item.put(name, AttributeValue.fromS(value));
        }
    }

    private static void number(Map<String, AttributeValue> item, String name, Long value) {
        if (value != null) {
            item.put(name, AttributeValue.fromN(Long.toString(value)));
        }
    }
}
