package hl7lake.json;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.AbstractGroup;
import ca.uhn.hl7v2.model.Composite;
import ca.uhn.hl7v2.model.ExtraComponents;
import ca.uhn.hl7v2.model.GenericMessage;
import ca.uhn.hl7v2.model.GenericSegment;
import ca.uhn.hl7v2.model.Group;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Primitive;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Structure;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.Varies;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the body of the lake's JSON document from a message held in HAPI's v2.5 model, in one
 * walk, so that every document of a structure has one fixed schema whatever the message holds
 * (docs/architecture.md §5):
 * <ul>
 * <li>segment and group keys in lower case, v2.5 long names in snake_case, an array exactly where
 *     v2.5 allows repetition; a field, component or subcomponent v2.5 defines as primitive is always
 *     a string, a composite always an object with its v2.5 keys;</li>
 * <li>what a sender puts beyond the definition (extra components or subcomponents, extra repetitions
 *     of a non-repeating field, fields past the last defined one) goes to the segment's {@code ext}
 *     object, string → string, keyed by position ({@code "8.2"}, {@code "23"}, {@code "3[2].1"});</li>
 * <li>a field of type varies ({@code OBX-5}) is an array of strings, one per repetition, plus a
 *     typed object beside it ({@code observation_value_typed}) filled by the data type;</li>
 * <li>Z-segments (any segment v2.5 does not define) go to one root array {@code z_segments},
 *     wherever HAPI placed them, and so does a v2.5 segment where the structure has no place for it;</li>
 * <li>HL7 escapes decoded (HAPI's values already are), the HL7 null {@code ""} as JSON null (in the
 *     string → string maps {@code ext} and {@code fields}: the string {@code ""} as sent), empty
 *     values left out.</li>
 * </ul>
 */
public final class Hl7JsonWriter {

    private static final String HL7_NULL = "\"\"";
    /** The keys of {@code coded} and {@code encapsulated} in the typed object (the published schema uses them too). */
    public static final List<String> CODED = List.of("identifier", "text", "name_of_coding_system", "alternate_identifier",
        "alternate_text", "name_of_alternate_coding_system", "coding_system_version_id",
        "alternate_coding_system_version_id", "original_text");
    public static final List<String> ENCAPSULATED = List.of("source_application", "type_of_data", "data_subtype",
        "encoding", "data");

    /** HAPI's v2.5 data type classes are named as the type (NM, CE…); Type.getName() builds the string on each call. */
    private static final ClassValue<String> TYPE_NAMES = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            return type.getSimpleName();
        }
    };

    private final Hl7Names names;

    /** HL7's NM: an optional sign, digits with at most one decimal point, at least one digit (no exponent). */
    static boolean isNumeric(String value) {
        int i = value.isEmpty() || (value.charAt(0) != '+' && value.charAt(0) != '-') ? 0 : 1;
        boolean digit = false;
        boolean point = false;
        for (; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c == '.' && !point) {
                point = true;
            } else {
                return false;
            }
        }
        return digit;
    }

    public Hl7JsonWriter(Hl7Names names) {
        this.names = names;
    }

    /** Writes the message's segments and groups as fields of the object the generator is in. */
    public void writeFields(Message message, JsonGenerator generator, PrimitiveListener listener)
            throws IOException, HL7Exception {
        Walk walk = new Walk(new LazyJson(generator), listener, message.getEncodingCharactersValue());
        walk.groupContent(message);
        walk.zSegments();
    }

    /** A segment v2.5 does not define, where HAPI placed it. */
    private record ZSegment(Segment segment, int index, String group) {
    }

    /** The state of one walk; the writer itself is shared between threads. */
    private final class Walk {
        private final LazyJson json;
        private final PrimitiveListener listener;
        private final char componentSeparator;
        private final char subcomponentSeparator;
        private final Cursor cursor = new Cursor();
        private final Map<String, int[]> occurrences = new HashMap<>();
        /** positions[d]: the 1-based position of the value being walked at depth d (1 = component). */
        private final int[] positions = new int[16];
        private final List<String> groups = new ArrayList<>();
        private final List<ZSegment> zSegments = new ArrayList<>();
        private final List<String> extKeys = new ArrayList<>();
        private final List<String> extValues = new ArrayList<>();
        private final List<String> texts = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();

        Walk(LazyJson json, PrimitiveListener listener, String encodingCharacters) {
            this.json = json;
            this.listener = listener;
            this.componentSeparator = encodingCharacters != null && encodingCharacters.length() > 0
                    ? encodingCharacters.charAt(0) : '^';
            this.subcomponentSeparator = encodingCharacters != null && encodingCharacters.length() > 3
                    ? encodingCharacters.charAt(3) : '&';
        }

        void groupContent(Group group) throws IOException, HL7Exception {
            for (String name : group.getNames()) {
                // getAll, unlike get, never creates a structure that the message does not have.
                Structure[] all = group.getAll(name);
                if (all.length == 0) {
                    continue;
                }
                if (all[0] instanceof GenericSegment || outOfPlace(group, name)) {
                    String path = groups.isEmpty() ? null : String.join(".", groups);
                    for (Structure each : all) {
                        Segment segment = (Segment) each;
                        zSegments.add(new ZSegment(segment, occurrence(segment.getName()), path));
                    }
                    continue;
                }
                String key = names.structure(name);
                if (group.isRepeating(name)) {
                    json.openArray(key);
                    for (Structure each : all) {
                        structure(each, null, key);
                    }
                    json.close();
                } else {
                    structure(all[0], key, key);
                }
            }
        }

        /**
         * A v2.5 segment where the structure has no place for it (a second OBX where one is allowed,
         * an NTE between two segments that take none): HAPI adds it under a name of its own
         * ("OBX2", "NTE"), which would be a key only some documents have, so it goes to z_segments
         * like a Z-segment. A site-specific message (HAPI's generic structure) has no places at all.
         */
        private boolean outOfPlace(Group group, String name) {
            return group instanceof AbstractGroup abstractGroup && !(group.getMessage() instanceof GenericMessage)
                    && abstractGroup.getNonStandardNames().contains(name);
        }

        private int occurrence(String segment) {
            return ++occurrences.computeIfAbsent(segment, s -> new int[1])[0];
        }

        private void structure(Structure structure, String key, String name) throws IOException, HL7Exception {
            if (structure instanceof Segment segment) {
                segment(segment, key);
            } else {
                json.openObject(key);
                groups.add(name);
                groupContent((Group) structure);
                groups.remove(groups.size() - 1);
                json.close();
            }
        }

        private void segment(Segment segment, String key) throws IOException, HL7Exception {
            cursor.segment = segment.getName();
            cursor.segmentSequence = occurrence(cursor.segment);
            String[] fieldKeys = names.fields(segment);
            extKeys.clear();
            extValues.clear();
            json.openObject(key);
            for (int field = 1, count = segment.numFields(); field <= count; field++) {
                Type[] repetitions = segment.getField(field);
                if (repetitions.length == 0) {
                    continue;
                }
                cursor.field = field;
                if (field > fieldKeys.length) {
                    beyondDefinition(repetitions, 0);
                    continue;
                }
                String fieldKey = fieldKeys[field - 1];
                if (repetitions[0] instanceof Varies) {
                    varies(repetitions, fieldKey);
                } else if (segment.getMaxCardinality(field) != 1) {
                    json.openArray(fieldKey);
                    for (int rep = 0; rep < repetitions.length; rep++) {
                        startRepetition(rep + 1);
                        type(repetitions[rep], null, 0);
                    }
                    json.close();
                } else {
                    startRepetition(1);
                    type(repetitions[0], fieldKey, 0);
                    // A field the definition does not let repeat keeps its other repetitions in ext.
                    beyondDefinition(repetitions, 1);
                }
            }
            writeExt("ext");
            json.close();
        }

        private void startRepetition(int repetition) {
            cursor.repetition = repetition;
            cursor.component = 0;
            cursor.subcomponent = 0;
        }

        /** Every repetition from {@code from} (0-based) of the current field, into ext by position. */
        private void beyondDefinition(Type[] repetitions, int from) throws HL7Exception {
            for (int rep = from; rep < repetitions.length; rep++) {
                startRepetition(rep + 1);
                flatten(repetitions[rep], fieldPosition(), 0);
            }
        }

        /** "23" for the first repetition, "23[2]" for the second. */
        private String fieldPosition() {
            return cursor.repetition <= 1 ? Hl7Names.position(cursor.field)
                    : cursor.field + "[" + cursor.repetition + "]";
        }

        /** The ext key of position {@code n} inside the value at {@code depth}. */
        private String extKey(int depth, int n) {
            StringBuilder key = new StringBuilder(fieldPosition());
            for (int d = 1; d <= depth; d++) {
                key.append('.').append(positions[d]);
            }
            return key.append('.').append(n).toString();
        }

        /** depth 0 is a field, 1 a component, 2 and below a subcomponent. */
        private void type(Type type, String key, int depth) throws IOException, HL7Exception {
            if (type instanceof Varies varies) {
                // no v2.5 composite has a varies component; should one appear, it stays one string
                text.setLength(0);
                String value = text(varies.getData(), depth, true);
                if (HL7_NULL.equals(value)) {
                    json.nullValue(key);
                } else if (value != null) {
                    json.string(key, value);
                }
                return;
            }
            ExtraComponents extra = type.getExtraComponents();
            if (type instanceof Primitive primitive) {
                primitive(primitive, key);
                extras(extra, 2, depth);
            } else if (type instanceof Composite composite) {
                Type[] components = composite.getComponents();
                String[] componentKeys = names.components(composite);
                json.openObject(key);
                for (int i = 0; i < components.length; i++) {
                    enter(depth, i + 1);
                    type(components[i], i < componentKeys.length ? componentKeys[i] : Hl7Names.position(i + 1),
                            depth + 1);
                }
                json.close();
                extras(extra, components.length + 1, depth);
            }
            enter(depth, 0);
        }

        private void extras(ExtraComponents extra, int firstPosition, int depth) throws HL7Exception {
            for (int i = 0; i < extra.numComponents(); i++) {
                int position = firstPosition + i;
                String key = extKey(depth, position);
                enter(depth, position);
                flatten(extra.getComponent(i), key, depth + 1);
            }
        }

        /** Every valued primitive in {@code type} into ext: {@code key} itself, or key.1, key.2… when it has parts. */
        private void flatten(Type type, String key, int depth) throws HL7Exception {
            Type value = type instanceof Varies varies ? varies.getData() : type;
            ExtraComponents extra = value.getExtraComponents();
            int next = 1;
            if (value instanceof Primitive primitive) {
                if (extra.numComponents() == 0) {
                    extPut(key, primitive);
                    return;
                }
                enter(depth, 1);
                extPut(key + ".1", primitive);
                next = 2;
            } else if (value instanceof Composite composite) {
                for (Type component : composite.getComponents()) {
                    enter(depth, next);
                    flatten(component, key + "." + next, depth + 1);
                    next++;
                }
            }
            for (int i = 0; i < extra.numComponents(); i++, next++) {
                enter(depth, next);
                flatten(extra.getComponent(i), key + "." + next, depth + 1);
            }
            enter(depth, 0);
        }

        private void extPut(String key, Primitive primitive) {
            String value = primitive.getValue();
            if (value == null || value.isEmpty()) {
                return;
            }
            // In a map the HL7 null stays the string "" as sent: a key that only ever held JSON null
            // would have no type a SQL engine could infer.
            if (!HL7_NULL.equals(value)) {
                listener.valued(primitive, value, cursor);
            }
            extKeys.add(key);
            extValues.add(value);
        }

        private void writeExt(String key) throws IOException {
            if (extKeys.isEmpty()) {
                return;
            }
            json.openObject(key);
            for (int i = 0; i < extKeys.size(); i++) {
                json.string(extKeys.get(i), extValues.get(i));
            }
            json.close();
            extKeys.clear();
            extValues.clear();
        }

        /** Moves the cursor to position {@code n} one level below {@code depth} (0 leaves that level). */
        private void enter(int depth, int n) {
            if (depth + 1 < positions.length) {
                positions[depth + 1] = n;
            }
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

        /**
         * A field of type varies: every repetition as one string (its values unescaped, joined by the
         * message's component and subcomponent separators), then the typed object beside it.
         */
        private void varies(Type[] repetitions, String fieldKey) throws IOException, HL7Exception {
            texts.clear();
            json.openArray(fieldKey);
            for (int rep = 0; rep < repetitions.length; rep++) {
                startRepetition(rep + 1);
                text.setLength(0);
                String value = text(((Varies) repetitions[rep]).getData(), 0, true);
                if (value == null) {
                    continue;
                }
                if (HL7_NULL.equals(value)) {
                    json.nullValue(null);
                } else {
                    json.string(null, value);
                    texts.add(value);
                }
            }
            json.close();
            if (!texts.isEmpty()) {
                typed(((Varies) repetitions[0]).getData(), names.typed(fieldKey));
            }
        }

        /**
         * Appends the value's text to {@link #text}; returns it, or null when it is empty. Tells the
         * listener of each valued primitive when {@code notify}.
         */
        private String text(Type type, int depth, boolean notify) throws HL7Exception {
            if (type instanceof Primitive primitive && type.getExtraComponents().numComponents() == 0) {
                String v = primitive.getValue(); // the common case (NM, ST…) without a copy
                if (v == null || v.isEmpty()) {
                    return null;
                }
                if (notify && !HL7_NULL.equals(v)) {
                    listener.valued(primitive, v, cursor);
                }
                return v;
            }
            appendText(type, depth, notify);
            int end = text.length();
            while (end > 0 && (text.charAt(end - 1) == componentSeparator
                    || text.charAt(end - 1) == subcomponentSeparator)) {
                end--;
            }
            text.setLength(end);
            return end == 0 ? null : text.toString();
        }

        private void appendText(Type type, int depth, boolean notify) throws HL7Exception {
            Type value = type instanceof Varies varies ? varies.getData() : type;
            char separator = depth == 0 ? componentSeparator : subcomponentSeparator;
            int next = 1;
            if (value instanceof Primitive primitive) {
                String v = primitive.getValue();
                if (v != null && !v.isEmpty()) {
                    if (notify && !HL7_NULL.equals(v)) {
                        listener.valued(primitive, v, cursor);
                    }
                    text.append(v);
                }
                next = 2;
            } else if (value instanceof Composite composite) {
                for (Type component : composite.getComponents()) {
                    if (next > 1) {
                        text.append(separator);
                    }
                    enter(depth, next++);
                    appendText(component, depth + 1, notify);
                }
            }
            ExtraComponents extra = value.getExtraComponents();
            for (int i = 0; i < extra.numComponents(); i++) {
                text.append(separator);
                enter(depth, next++);
                appendText(extra.getComponent(i), depth + 1, notify);
            }
            enter(depth, 0);
        }

        /** The typed object beside a varies field, filled by the data type of its first repetition. */
        private void typed(Type data, String key) throws IOException, HL7Exception {
            json.openObject(key);
            switch (TYPE_NAMES.get(data.getClass())) {
                case "NM" -> number("number", ((Primitive) data).getValue());
                case "SN" -> {
                    Type[] c = ((Composite) data).getComponents();
                    json.openObject("structured_numeric");
                    componentString(c, 0, "comparator");
                    number("num1", value(c, 1));
                    componentString(c, 2, "separator_suffix");
                    number("num2", value(c, 3));
                    json.close();
                }
                case "CE", "CWE", "CNE", "CF" -> componentObject("coded", (Composite) data, CODED);
                case "ED" -> componentObject("encapsulated", (Composite) data, ENCAPSULATED);
                case "TS", "DTM", "DT" -> {
                    String iso = Hl7Time.isoUtc(data instanceof Composite c ? value(c.getComponents(), 0)
                            : ((Primitive) data).getValue());
                    if (iso != null) {
                        json.string("timestamp", iso);
                    }
                }
                default -> {
                    if (data instanceof Primitive) {
                        json.string("text", String.join("\n", texts));
                    }
                }
            }
            json.close();
        }

        private void componentObject(String key, Composite composite, List<String> keys) throws IOException, HL7Exception {
            Type[] components = composite.getComponents();
            json.openObject(key);
            for (int i = 0; i < keys.size(); i++) {
                componentString(components, i, keys.get(i));
            }
            json.close();
        }

        private void componentString(Type[] components, int index, String key) throws IOException, HL7Exception {
            if (index >= components.length) {
                return;
            }
            text.setLength(0);
            String value = text(components[index], 1, false);
            if (value == null) {
                return;
            }
            if (HL7_NULL.equals(value)) {
                json.nullValue(key);
            } else {
                json.string(key, value);
            }
        }

        private String value(Type[] components, int index) {
            return index < components.length && components[index] instanceof Primitive p ? p.getValue() : null;
        }

        /** A JSON number when the value is an HL7 NM; otherwise nothing (the value as sent is in the strings). */
        private void number(String key, String value) throws IOException {
            if (value == null || !isNumeric(value)) {
                return;
            }
            double number = Double.parseDouble(value);
            if (Double.isFinite(number)) {
                json.number(key, number);
            }
        }

        /** The root array z_segments: {segment, index, group, fields}, fields by position. */
        void zSegments() throws IOException, HL7Exception {
            if (zSegments.isEmpty()) {
                return;
            }
            json.openArray("z_segments");
            for (ZSegment z : zSegments) {
                Segment segment = z.segment();
                cursor.segment = segment.getName();
                cursor.segmentSequence = z.index();
                extKeys.clear();
                extValues.clear();
                for (int field = 1, count = segment.numFields(); field <= count; field++) {
                    cursor.field = field;
                    beyondDefinition(segment.getField(field), 0);
                }
                json.openObject(null);
                json.string("segment", segment.getName());
                json.number("index", z.index());
                if (z.group() != null) {
                    json.string("group", z.group());
                }
                writeExt("fields");
                json.close();
            }
            json.close();
        }
    }
}
