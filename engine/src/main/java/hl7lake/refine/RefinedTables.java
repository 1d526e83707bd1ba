package hl7lake.refine;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The refined zone's tables: their names, columns and types, in one place, so that the compaction
 * (DuckDB reads its intermediate rows with exactly these columns), the {@code schema} command and
 * the stack's Glue tables say the same. Every table is partitioned by {@code day} (the UTC day of
 * arrival, the staging partition it was compacted from), which is not a column of the files.
 */
public final class RefinedTables {

    /** A column: its name, DuckDB's type (what the Parquet files hold) and Glue's (what Athena declares). */
    public record Column(String name, String duckdb, String glue) {
    }

    /** A table and the columns that sort its rows in the file (similar rows together compress and prune better). */
    public record Table(String name, List<Column> columns, String orderBy) {

        /** {@code refined_<name>}: the Glue table and the DuckDB view README declares. */
        public String glueName() {
            return "refined_" + name;
        }

        /** DuckDB's {@code columns = {...}} for reading this table's rows from JSON. */
        String duckdbColumns() {
            return columns.stream().map(c -> "'" + c.name() + "': '" + c.duckdb() + "'")
                    .collect(Collectors.joining(", ", "{", "}"));
        }
    }

    private static Column text(String name) {
        return new Column(name, "VARCHAR", "string");
    }

    private static Column time(String name) {
        return new Column(name, "TIMESTAMP", "timestamp");
    }

    private static Column number(String name) {
        return new Column(name, "DOUBLE", "double");
    }

    private static Column integer(String name) {
        return new Column(name, "INTEGER", "int");
    }

    private static Column texts(String name) {
        return new Column(name, "VARCHAR[]", "array<string>");
    }

    public static final Table MESSAGES = new Table("messages", List.of(text("message_id"), text("structure"),
            text("message_type"), text("trigger_event"), text("version"), text("sending_application"),
            text("sending_facility"), text("control_id"), time("message_time"), time("received_at"), text("door"),
            text("patient_uuid"), texts("patient_ids"), text("raw_key"), text("staging_key"), integer("warning_count"),
            text("charset")), "message_id");

    public static final Table PATIENTS = new Table("patients", List.of(text("patient_uuid"), texts("identifiers"),
            text("family_name"), text("given_name"), text("birth_date"), text("sex"), text("street"), text("city"),
            text("state"), text("postal_code"), text("country"), integer("messages"), text("last_message_id"),
            time("last_message_time")), "patient_uuid");

    public static final Table ENCOUNTERS = new Table("encounters", List.of(text("message_id"), text("patient_uuid"),
            text("trigger_event"), text("visit_number"), text("patient_class"), text("point_of_care"), text("room"),
            text("bed"), text("facility"), text("admission_type"), text("hospital_service"), text("attending_doctor_id"),
            text("attending_doctor_name"), time("admit_time"), time("discharge_time"), text("admit_reason")),
            "message_id");

    public static final Table ORDERS = new Table("orders", List.of(text("message_id"), text("patient_uuid"),
            integer("order_index"), text("order_control"), text("placer_order_number"), text("filler_order_number"),
            text("order_status"), text("service_code"), text("service_text"), text("service_system"),
            time("observation_time"), text("result_status"), text("ordering_provider_id"), time("transaction_time")),
            "message_id, order_index");

    public static final Table OBSERVATIONS = new Table("observations", List.of(text("message_id"), text("patient_uuid"),
            integer("set_id"), text("sub_id"), text("value_type"), text("code"), text("code_text"), text("code_system"),
            text("value_text"), number("value_number"), text("units"), text("reference_range"), text("abnormal_flags"),
            text("result_status"), time("observation_time"), integer("order_index"), text("placer_order_number"),
            text("filler_order_number"), text("order_service_code")), "code, observation_time, message_id, set_id");

    public static final Table DIAGNOSES = new Table("diagnoses", List.of(text("message_id"), text("patient_uuid"),
            integer("set_id"), text("code"), text("code_text"), text("code_system"), text("diagnosis_type"),
            time("diagnosis_time")), "code, message_id, set_id");

    public static final Table ALLERGIES = new Table("allergies", List.of(text("message_id"), text("patient_uuid"),
            integer("set_id"), text("allergen_type"), text("code"), text("code_text"), text("code_system"),
            text("severity"), texts("reactions"), text("identification_date")), "code, message_id, set_id");

    public static final Table IMMUNIZATIONS = new Table("immunizations", List.of(text("message_id"), text("patient_uuid"),
            time("administered_at"), text("vaccine_code"), text("vaccine_text"), text("vaccine_system"),
            number("amount"), text("units"), texts("lot_numbers"), text("manufacturer"), text("completion_status"),
            text("action_code")), "vaccine_code, message_id");

    public static final Table PATIENT_CONFLICTS = new Table("patient_conflicts", List.of(text("kind"),
            text("patient_uuid"), text("identifier"), text("other_uuid"), text("other_identifier"), text("message_id")),
            "kind, patient_uuid, identifier");

    public static final List<Table> ALL = List.of(MESSAGES, PATIENTS, ENCOUNTERS, ORDERS, OBSERVATIONS, DIAGNOSES,
            ALLERGIES, IMMUNIZATIONS, PATIENT_CONFLICTS);

    /**
     * Not a published table: what a run read, one row per staging document — its key and ETag, the
     * message it holds, what it says of its patient, and which flattening made its rows — so that the
     * day's next run reuses the rows of documents that have not changed instead of reading them again
     * ({@link PreviousRun}; docs/decisions.md, "The refined zone: a run reuses the previous one's rows").
     */
    static final Table SOURCES = new Table("_sources", List.of(text("staging_key"), text("etag"), text("message_id"),
            text("flattened_by"), text("patient_uuid"), text("message_time"), text("family_name"), text("given_name"),
            text("birth_date"), text("sex"), text("street"), text("city"), text("state"), text("postal_code"),
            text("country"), texts("identifiers")), "staging_key");

    /** The files of one run: the published tables and the run's sources. */
    public static final List<Table> FILES = java.util.stream.Stream.concat(ALL.stream(), java.util.stream.Stream.of(SOURCES)).toList();

    /** Tables whose rows each come from one message (a {@code message_id} column): reused per message by the next run. */
    static boolean perMessage(Table table) {
        return table != PATIENTS && table != PATIENT_CONFLICTS && table != SOURCES;
    }

    private static final Map<String, Table> BY_NAME = ALL.stream().collect(Collectors.toMap(Table::name, Function.identity()));

    private RefinedTables() {
    }

    /** The table of that name; IllegalArgumentException when there is none. */
    public static Table of(String name) {
        Table table = BY_NAME.get(name);
        if (table == null) {
            throw new IllegalArgumentException("no refined table " + name + " (" + String.join(", ", BY_NAME.keySet().stream().sorted().toList()) + ")");
        }
        return table;
    }
}
