package hl7lake.json;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Composite;
import ca.uhn.hl7v2.model.ExtraComponents;
import ca.uhn.hl7v2.model.GenericComposite;
import ca.uhn.hl7v2.model.Group;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Primitive;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Structure;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.Varies;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes the body of the lake's JSON document (ARCHITECTURE.md §5) from a message held in HAPI's
 * v2.5 model, in one walk: segment and group keys in lower case, v2.5 long names in snake_case,
 * an array wherever v2.5 allows repetition, HL7 escapes decoded (HAPI's values already are), the
 * explicit null {@code ""} as JSON null, empty values left out, and anything beyond the definition
 * (Z-segments, extra fields and components) kept under its position number.
 */
public final class Hl7JsonWriter {

    private static final String[] NO_NAMES = new String[0];
    private static final String HL7_NULL = "\"\"";

    private final Hl7Names names;

    public Hl7JsonWriter(Hl7Names names) {
        this.names = names;
    }

    /** Writes the message's segments and groups as fields of the object the generator is in. */
    public void writeFields(Message message, JsonGenerator generator, PrimitiveListener listener)
            throws IOException, HL7Exception {
        new Walk(new LazyJson(generator), listener).groupContent(message);
    }

    /** The state of one walk; the writer itself is shared between threads. */
    private final class Walk {
        private final LazyJson json;
        private final PrimitiveListener listener;
        private final Cursor cursor = new Cursor();
        private final Map<String, int[]> occurrences = new HashMap<>();

        Walk(LazyJson json, PrimitiveListener listener) {
            this.json = json;
            this.listener = listener;
        }

        void groupContent(Group group) throws IOException, HL7Exception {
            for (String name : group.getNames()) {
                // getAll, unlike get, never creates a structure that the message does not have.
                Structure[] all = group.getAll(name);
                if (all.length == 0) {
                    continue;
                }
                String key = names.structure(name);
                if (group.isRepeating(name)) {
                    json.openArray(key);
                    for (Structure each : all) {
                        structure(each, null);
                    }
                    json.close();
                } else {
                    structure(all[0], key);
                }
            }
        }

        private void structure(Structure structure, String key) throws IOException, HL7Exception {
            if (structure instanceof Segment segment) {
                segment(segment, key);
            } else {
                json.openObject(key);
                groupContent((Group) structure);
                json.close();
            }
        }

        private void segment(Segment segment, String key) throws IOException, HL7Exception {
            cursor.segment = segment.getName();
            cursor.segmentSequence = ++occurrences.computeIfAbsent(cursor.segment, s -> new int[1])[0];
            String[] fieldKeys = names.fields(segment);
            json.openObject(key);
            for (int field = 1, count = segment.numFields(); field <= count; field++) {
                Type[] repetitions = segment.getField(field);
                if (repetitions.length == 0) {
                    continue;
                }
                boolean defined = field <= fieldKeys.length;
                String fieldKey = defined ? fieldKeys[field - 1] : Hl7Names.position(field);
                // A field the definition does not let repeat keeps every repetition sent, as an array.
                boolean array = (defined && segment.getMaxCardinality(field) != 1) || repetitions.length > 1;
                cursor.field = field;
                if (array) {
                    json.openArray(fieldKey);
                }
                for (int rep = 0; rep < repetitions.length; rep++) {
                    cursor.repetition = rep + 1;
                    cursor.component = 0;
                    cursor.subcomponent = 0;
                    type(repetitions[rep], array ? null : fieldKey, 0);
                }
                if (array) {
                    json.close();
                }
            }
            json.close();
        }

        /** depth 0 is a field, 1 a component, 2 and below a subcomponent. */
        private void type(Type type, String key, int depth) throws IOException, HL7Exception {
            Type value = type instanceof Varies varies ? varies.getData() : type;
            ExtraComponents extra = value.getExtraComponents();
            if (value instanceof Primitive primitive) {
                if (extra.numComponents() == 0) {
                    primitive(primitive, key);
                    return;
                }
                json.openObject(key);
                enter(depth, 1);
                primitive(primitive, Hl7Names.position(1));
                extras(extra, 2, depth);
                json.close();
            } else if (value instanceof Composite composite) {
                Type[] components = composite.getComponents();
                String[] componentKeys = composite instanceof GenericComposite ? NO_NAMES : names.components(composite);
                json.openObject(key);
                for (int i = 0; i < components.length; i++) {
                    enter(depth, i + 1);
                    type(components[i], i < componentKeys.length ? componentKeys[i] : Hl7Names.position(i + 1),
                            depth + 1);
                }
                extras(extra, components.length + 1, depth);
                json.close();
            }
            enter(depth, 0);
        }

        private void extras(ExtraComponents extra, int firstPosition, int depth) throws IOException, HL7Exception {
            for (int i = 0; i < extra.numComponents(); i++) {
                enter(depth, firstPosition + i);
                type(extra.getComponent(i), Hl7Names.position(firstPosition + i), depth + 1);
            }
        }

        /** Moves the cursor to position {@code n} one level below {@code depth} (0 leaves that level). */
        private void enter(int depth, int n) {
            if (depth == 0) {
                cursor.component = n;
                cursor.subcomponent = 0;
            } else if (depth == 1) {
                cursor.subcomponent = n;
            }
        }

        private void primitive(Primitive primitive, String key) throws IOException {
            String value = primitive.getValue();
            if (value == null || value.isEmpty()) {
                return;
            }
            if (HL7_NULL.equals(value)) {
                json.nullValue(key);
                return;
            }
            listener.valued(primitive, value, cursor);
            json.string(key, value);
        }
    }
}
