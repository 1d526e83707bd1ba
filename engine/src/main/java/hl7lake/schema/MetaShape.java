package hl7lake.schema;

import hl7lake.json.Hl7JsonWriter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parts of a staging document that are the same for every structure: {@code meta} (as
 * {@code JsonDocumentWriter} writes it), the typed object beside a varies field, and {@code z_segments}.
 */
final class MetaShape {

    private MetaShape() {
    }

    static final Shape.Struct META;
    static final Shape.Struct TYPED;
    static final Shape Z_SEGMENTS;

    static {
        Map<String, Shape> meta = new LinkedHashMap<>();
        meta.put("schema_version", Shape.INTEGER);
        for (String key : List.of("message_id", "door", "received_at", "raw", "sha256", "version", "structure",
                "message_type", "trigger_event", "sending_application", "sending_facility", "control_id",
                "message_time", "patient_uuid")) {
            meta.put(key, Shape.TEXT);
        }
        meta.put("patient_ids", new Shape.ArrayOf(Shape.TEXT));
        meta.put("charset", Shape.TEXT);
        meta.put("warning_count", Shape.INTEGER);
        meta.put("warnings", new Shape.ArrayOf(Shape.texts(List.of("location", "data_type", "rule"))));
        META = new Shape.Struct(meta, Set.of("schema_version", "message_id", "door", "received_at", "sha256",
                "version", "structure", "message_type", "trigger_event", "charset", "warning_count"));

        Map<String, Shape> sn = new LinkedHashMap<>();
        sn.put("comparator", Shape.TEXT);
        sn.put("num1", Shape.DOUBLE);
        sn.put("separator_suffix", Shape.TEXT);
        sn.put("num2", Shape.DOUBLE);
        Map<String, Shape> typed = new LinkedHashMap<>();
        typed.put("number", Shape.DOUBLE);
        typed.put("structured_numeric", new Shape.Struct(sn, Set.of()));
        typed.put("coded", Shape.texts(Hl7JsonWriter.CODED));
        typed.put("timestamp", Shape.TEXT);
        typed.put("encapsulated", Shape.texts(Hl7JsonWriter.ENCAPSULATED));
        typed.put("text", Shape.TEXT);
        TYPED = new Shape.Struct(typed, Set.of());

        Map<String, Shape> z = new LinkedHashMap<>();
        z.put("segment", Shape.TEXT);
        z.put("index", Shape.INTEGER);
        z.put("group", Shape.TEXT);
        z.put("fields", Shape.STRING_MAP);
        Z_SEGMENTS = new Shape.ArrayOf(new Shape.Struct(z, Set.of("segment", "index")));
    }
}
