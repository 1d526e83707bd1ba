package hl7lake.refine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hl7lake.json.Hl7Time;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One staging document as rows of the refined tables. The document's shape is the structure's v2.5
 * shape, so a segment sits at a different path in each structure (PID at the root of ADT_A01, in
 * {@code patient_result[].patient} of ORU_R01); the flattener finds segments wherever they are, by
 * their keys, walking the document once. An object holding an ORC or an OBR is an order: the OBX,
 * RXA… found below it belong to that order (in ORM_O01 the OBR sits one level below the ORC, in
 * {@code order_detail}: both make one order). What the flattener cannot read (a field absent, a
 * value the converter kept only as text) is left null: nothing fails on content.
 */
final class Flattener {

    /** Where the rows go: one call per row. */
    interface Rows {
        void row(RefinedTables.Table table, ObjectNode row);
    }

    /** What a message says about its patient, for the patients table (the newest message wins, field by field). */
    record PatientSeen(String uuid, String messageId, String messageTime, String family, String given, String birthDate,
                       String sex, String street, String city, String state, String postalCode, String country,
                       List<String> identifiers) {
    }

    /**
     * Which flattening made a run's rows, kept with them ({@link RefinedTables#SOURCES}): the next run
     * reuses a previous run's rows only when this is unchanged. Bump the number with any change here
     * that changes the rows some document gives; the tables' declared columns are part of it already.
     */
    static final String VERSION = "flattener-1/" + Integer.toHexString(RefinedTables.ALL.toString().hashCode());

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Not walked: the document's own metadata, the header, Z-segments (free-form) and segments' extra components. */
    private static final java.util.Set<String> SKIPPED = java.util.Set.of("meta", "msh", "z_segments", "ext");

    private final Rows rows;

    Flattener(Rows rows) {
        this.rows = rows;
    }

    /** Rows of every table for one document; returns what it says of its patient (null: it names none). */
    PatientSeen flatten(JsonNode document, String stagingKey) {
        JsonNode meta = document.path("meta");
        String messageId = text(meta, "message_id");
        String uuid = text(meta, "patient_uuid");
        ObjectNode message = NODES.objectNode();
        message.put("message_id", messageId);
        message.put("structure", text(meta, "structure"));
        message.put("message_type", text(meta, "message_type"));
        message.put("trigger_event", text(meta, "trigger_event"));
        message.put("version", text(meta, "version"));
        message.put("sending_application", text(meta, "sending_application"));
        message.put("sending_facility", text(meta, "sending_facility"));
        message.put("control_id", text(meta, "control_id"));
        message.put("message_time", timestamp(text(meta, "message_time")));
        message.put("received_at", timestamp(text(meta, "received_at")));
        message.put("door", text(meta, "door"));
        message.put("patient_uuid", uuid);
        message.set("patient_ids", meta.has("patient_ids") ? meta.get("patient_ids").deepCopy() : NODES.arrayNode());
        message.put("raw_key", rawKey(text(meta, "raw")));
        message.put("staging_key", stagingKey);
        message.put("warning_count", meta.path("warning_count").asInt(0));
        message.put("charset", text(meta, "charset"));
        rows.row(RefinedTables.MESSAGES, message);

        Walk walk = new Walk(messageId, uuid, text(meta, "trigger_event"));
        walk.group(document, null); // the root is a group too: ADT_A01's PV1, DG1, AL1 sit there
        for (JsonNode z : document.path("z_segments")) {
            if ("OBX".equals(text(z, "segment"))) { // an OBX where the structure has no place for it: still a result
                walk.misplacedObservation(z.path("fields"));
            }
        }
        if (walk.pid == null || uuid == null) {
            return null;
        }
        JsonNode pid = walk.pid;
        JsonNode address = first(pid.path("patient_address"));
        List<String> ids = new ArrayList<>();
        meta.path("patient_ids").forEach(id -> ids.add(id.asText()));
        return new PatientSeen(uuid, messageId, text(meta, "message_time"), text(pid, "patient_name", "family_name", "surname"),
                text(pid, "patient_name", "given_name"), date(text(pid, "date_time_of_birth", "time")),
                text(pid, "administrative_sex"), text(address, "street_address", "street_or_mailing_address"),
                text(address, "city"), text(address, "state_or_province"), text(address, "zip_or_postal_code"),
                text(address, "country"), ids);
    }

    /** An order the walk is inside of: its index in the message, and its ORC and OBR once seen. */
    private static final class Order {
        final int index;
        JsonNode orc;
        JsonNode obr;

        Order(int index) {
            this.index = index;
        }
    }

    private final class Walk {
        final String messageId;
        final String uuid;
        final String event;
        final List<Order> orders = new ArrayList<>();
        JsonNode pid;

        Walk(String messageId, String uuid, String event) {
            this.messageId = messageId;
            this.uuid = uuid;
            this.event = event;
        }

        void value(String key, JsonNode value, Order order) {
            if (value.isArray()) {
                for (JsonNode element : value) {
                    if (element.isObject()) {
                        element(key, element, order);
                    }
                }
            } else if (value.isObject()) {
                element(key, value, order);
            }
        }

        /** An object under {@code key}: a segment we read, or a group to walk into. */
        void element(String key, JsonNode node, Order order) {
            switch (key) {
                case "pid" -> {
                    if (pid == null) {
                        pid = node;
                    }
                }
                case "obx" -> observation(node, order);
                case "dg1" -> diagnosis(node);
                case "al1" -> allergy(node);
                case "rxa" -> immunization(node);
                case "pv1", "pv2", "orc", "obr", "ext" -> {
                    // read with the group that holds them
                }
                default -> group(node, order);
            }
        }

        void group(JsonNode node, Order outer) {
            Order order = outer;
            boolean opens = (node.has("orc") || node.has("obr")) && (outer == null || outer.obr != null
                    || (node.has("orc") && outer.orc != null));
            if (opens) {
                order = new Order(orders.size() + 1);
                orders.add(order);
            }
            if (order != null) {
                if (node.has("orc") && order.orc == null) {
                    order.orc = first(node.get("orc"));
                }
                if (node.has("obr") && order.obr == null) {
                    order.obr = first(node.get("obr"));
                }
            }
            if (node.has("pv1")) {
                encounter(first(node.get("pv1")), first(node.path("pv2")));
            }
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!SKIPPED.contains(field.getKey())) {
                    value(field.getKey(), field.getValue(), order);
                }
            }
            if (opens) {
                order(order);
            }
        }

        ObjectNode row() {
            ObjectNode row = NODES.objectNode();
            row.put("message_id", messageId);
            row.put("patient_uuid", uuid);
            return row;
        }

        void encounter(JsonNode pv1, JsonNode pv2) {
            ObjectNode row = row();
            row.put("trigger_event", event);
            row.put("visit_number", text(pv1, "visit_number", "id_number"));
            row.put("patient_class", text(pv1, "patient_class"));
            JsonNode location = pv1.path("assigned_patient_location");
            row.put("point_of_care", text(location, "point_of_care"));
            row.put("room", text(location, "room"));
            row.put("bed", text(location, "bed"));
            row.put("facility", text(location, "facility", "namespace_id"));
            row.put("admission_type", text(pv1, "admission_type"));
            row.put("hospital_service", text(pv1, "hospital_service"));
            JsonNode doctor = first(pv1.path("attending_doctor"));
            row.put("attending_doctor_id", text(doctor, "id_number"));
            row.put("attending_doctor_name", name(text(doctor, "family_name", "surname"), text(doctor, "given_name")));
            row.put("admit_time", timestamp(Hl7Time.isoUtc(text(pv1, "admit_date_time", "time"))));
            row.put("discharge_time", timestamp(Hl7Time.isoUtc(text(pv1, "discharge_date_time", "time"))));
            row.put("admit_reason", coalesce(text(pv2, "admit_reason", "text"), text(pv2, "admit_reason", "identifier")));
            rows.row(RefinedTables.ENCOUNTERS, row);
        }

        void order(Order order) {
            JsonNode orc = order.orc == null ? NODES.missingNode() : order.orc;
            JsonNode obr = order.obr == null ? NODES.missingNode() : order.obr;
            ObjectNode row = row();
            row.put("order_index", order.index);
            row.put("order_control", text(orc, "order_control"));
            row.put("placer_order_number", placer(order));
            row.put("filler_order_number", filler(order));
            row.put("order_status", text(orc, "order_status"));
            row.put("service_code", text(obr, "universal_service_identifier", "identifier"));
            row.put("service_text", text(obr, "universal_service_identifier", "text"));
            row.put("service_system", text(obr, "universal_service_identifier", "name_of_coding_system"));
            row.put("observation_time", timestamp(Hl7Time.isoUtc(text(obr, "observation_date_time", "time"))));
            row.put("result_status", text(obr, "result_status"));
            row.put("ordering_provider_id", coalesce(text(orc, "ordering_provider", "id_number"),
                    text(obr, "ordering_provider", "id_number")));
            row.put("transaction_time", timestamp(Hl7Time.isoUtc(text(orc, "date_time_of_transaction", "time"))));
            rows.row(RefinedTables.ORDERS, row);
        }

        void observation(JsonNode obx, Order order) {
            ObjectNode row = row();
            row.put("set_id", integer(text(obx, "set_id_obx")));
            row.put("sub_id", text(obx, "observation_sub_id"));
            row.put("value_type", text(obx, "value_type"));
            row.put("code", text(obx, "observation_identifier", "identifier"));
            row.put("code_text", text(obx, "observation_identifier", "text"));
            row.put("code_system", text(obx, "observation_identifier", "name_of_coding_system"));
            row.put("value_text", joined(obx.path("observation_value")));
            row.put("value_number", number(obx.path("observation_value_typed")));
            row.put("units", coalesce(text(obx, "units", "identifier"), text(obx, "units", "text")));
            row.put("reference_range", text(obx, "references_range"));
            row.put("abnormal_flags", joined(obx.path("abnormal_flags")));
            row.put("result_status", text(obx, "observation_result_status"));
            row.put("observation_time", timestamp(Hl7Time.isoUtc(text(obx, "date_time_of_the_observation", "time"))));
            if (order != null) {
                row.put("order_index", order.index);
                row.put("placer_order_number", placer(order));
                row.put("filler_order_number", filler(order));
                row.put("order_service_code", order.obr == null ? null
                        : text(order.obr, "universal_service_identifier", "identifier"));
            } else {
                row.putNull("order_index");
            }
            rows.row(RefinedTables.OBSERVATIONS, row);
        }

        /** An OBX kept in {@code z_segments} (fields by position): the same row, without its order. */
        void misplacedObservation(JsonNode fields) {
            ObjectNode row = row();
            row.put("set_id", integer(position(fields, "1")));
            row.put("sub_id", position(fields, "4"));
            String type = position(fields, "2");
            row.put("value_type", type);
            row.put("code", position(fields, "3"));
            row.put("code_text", text(fields, "3.2"));
            row.put("code_system", text(fields, "3.3"));
            String value = position(fields, "5");
            row.put("value_text", value);
            row.put("value_number", "NM".equals(type) ? decimal(value) : null);
            row.put("units", position(fields, "6"));
            row.put("reference_range", position(fields, "7"));
            row.put("abnormal_flags", position(fields, "8"));
            row.put("result_status", position(fields, "11"));
            row.put("observation_time", timestamp(Hl7Time.isoUtc(position(fields, "14"))));
            row.putNull("order_index");
            rows.row(RefinedTables.OBSERVATIONS, row);
        }

        void diagnosis(JsonNode dg1) {
            ObjectNode row = row();
            row.put("set_id", integer(text(dg1, "set_id_dg1")));
            row.put("code", text(dg1, "diagnosis_code_dg1", "identifier"));
            row.put("code_text", coalesce(text(dg1, "diagnosis_code_dg1", "text"), text(dg1, "diagnosis_description")));
            row.put("code_system", text(dg1, "diagnosis_code_dg1", "name_of_coding_system"));
            row.put("diagnosis_type", text(dg1, "diagnosis_type"));
            row.put("diagnosis_time", timestamp(Hl7Time.isoUtc(text(dg1, "diagnosis_date_time", "time"))));
            rows.row(RefinedTables.DIAGNOSES, row);
        }

        void allergy(JsonNode al1) {
            ObjectNode row = row();
            row.put("set_id", integer(text(al1, "set_id_al1")));
            row.put("allergen_type", coalesce(text(al1, "allergen_type_code", "identifier"), text(al1, "allergen_type_code")));
            row.put("code", text(al1, "allergen_code_mnemonic_description", "identifier"));
            row.put("code_text", text(al1, "allergen_code_mnemonic_description", "text"));
            row.put("code_system", text(al1, "allergen_code_mnemonic_description", "name_of_coding_system"));
            row.put("severity", coalesce(text(al1, "allergy_severity_code", "identifier"), text(al1, "allergy_severity_code")));
            row.set("reactions", strings(al1.path("allergy_reaction_code")));
            row.put("identification_date", date(text(al1, "identification_date")));
            rows.row(RefinedTables.ALLERGIES, row);
        }

        void immunization(JsonNode rxa) {
            ObjectNode row = row();
            row.put("administered_at", timestamp(Hl7Time.isoUtc(text(rxa, "date_time_start_of_administration", "time"))));
            row.put("vaccine_code", text(rxa, "administered_code", "identifier"));
            row.put("vaccine_text", text(rxa, "administered_code", "text"));
            row.put("vaccine_system", text(rxa, "administered_code", "name_of_coding_system"));
            row.put("amount", decimal(text(rxa, "administered_amount")));
            row.put("units", text(rxa, "administered_units", "identifier"));
            row.set("lot_numbers", strings(rxa.path("substance_lot_number")));
            row.put("manufacturer", coalesce(text(rxa, "substance_manufacturer_name", "text"),
                    text(rxa, "substance_manufacturer_name", "identifier")));
            row.put("completion_status", text(rxa, "completion_status"));
            row.put("action_code", text(rxa, "action_code_rxa"));
            rows.row(RefinedTables.IMMUNIZATIONS, row);
        }
    }

    /** A field of a Z-segment map: {@code n}, else its first component {@code n.1}. */
    private static String position(JsonNode fields, String n) {
        String whole = text(fields, n);
        return whole != null ? whole : text(fields, n + ".1");
    }

    private static String placer(Order order) {
        return coalesce(order.orc == null ? null : text(order.orc, "placer_order_number", "entity_identifier"),
                order.obr == null ? null : text(order.obr, "placer_order_number", "entity_identifier"));
    }

    private static String filler(Order order) {
        return coalesce(order.orc == null ? null : text(order.orc, "filler_order_number", "entity_identifier"),
                order.obr == null ? null : text(order.obr, "filler_order_number", "entity_identifier"));
    }

    /** The numeric value of an OBX: NM's number, or an SN that is a plain number (no comparator, no second number). */
    private static Double number(JsonNode typed) {
        JsonNode number = typed.get("number");
        if (number != null && number.isNumber()) {
            return number.asDouble();
        }
        JsonNode sn = typed.get("structured_numeric");
        if (sn != null && !sn.hasNonNull("comparator") && !sn.hasNonNull("separator_suffix") && !sn.hasNonNull("num2")) {
            return decimal(text(sn, "num1"));
        }
        return null;
    }

    private static Double decimal(String text) {
        if (text == null) {
            return null;
        }
        try {
            double value = Double.parseDouble(text.strip());
            return Double.isFinite(value) ? value : null;
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    private static Integer integer(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    /** An element, or an array's first. */
    private static JsonNode first(JsonNode node) {
        if (node != null && node.isArray()) {
            return node.isEmpty() ? NODES.missingNode() : node.get(0);
        }
        return node == null ? NODES.missingNode() : node;
    }

    /** The text at a path of keys, taking the first element of every array on the way; null when absent. */
    static String text(JsonNode node, String... path) {
        JsonNode at = first(node);
        for (String step : path) {
            at = first(at.path(step));
        }
        return at.isValueNode() && !at.isNull() ? at.asText() : null;
    }

    private static String joined(JsonNode values) {
        if (values.isValueNode()) {
            return values.isNull() ? null : values.asText();
        }
        List<String> parts = new ArrayList<>();
        values.forEach(v -> {
            if (v.isValueNode() && !v.isNull()) {
                parts.add(v.asText());
            }
        });
        return parts.isEmpty() ? null : String.join("\n", parts);
    }

    private static JsonNode strings(JsonNode values) {
        var array = NODES.arrayNode();
        if (values.isArray()) {
            values.forEach(v -> {
                String text = v.isValueNode() ? (v.isNull() ? null : v.asText()) : text(v, "identifier");
                if (text != null) {
                    array.add(text);
                }
            });
        } else if (values.isValueNode() && !values.isNull()) {
            array.add(values.asText());
        }
        return array;
    }

    private static String coalesce(String a, String b) {
        return a != null ? a : b;
    }

    private static String name(String family, String given) {
        if (family == null && given == null) {
            return null;
        }
        return family == null ? given : given == null ? family : family + ", " + given;
    }

    /** {@code 2026-11-02T08:30:15.000Z} as DuckDB's TIMESTAMP text, {@code 2026-11-02 08:30:15.000} (UTC). */
    static String timestamp(String iso) {
        if (iso == null || iso.length() < 20 || !iso.endsWith("Z")) {
            return null;
        }
        return iso.substring(0, 10) + " " + iso.substring(11, iso.length() - 1);
    }

    /** An HL7 date (or date/time) as {@code yyyy-mm-dd}, null when it has no full date. */
    static String date(String hl7) {
        if (hl7 == null || hl7.length() < 8 || !hl7.substring(0, 8).chars().allMatch(Character::isDigit)) {
            return null;
        }
        return hl7.substring(0, 4) + "-" + hl7.substring(4, 6) + "-" + hl7.substring(6, 8);
    }

    /** The raw key of {@code s3://<bucket>/<key>} (the document's lineage), or the value as it is. */
    private static String rawKey(String raw) {
        if (raw != null && raw.startsWith("s3://")) {
            int slash = raw.indexOf('/', 5);
            return slash < 0 ? raw : raw.substring(slash + 1);
        }
        return raw;
    }
}
