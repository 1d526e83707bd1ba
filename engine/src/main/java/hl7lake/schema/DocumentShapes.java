package hl7lake.schema;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Composite;
import ca.uhn.hl7v2.model.Group;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Structure;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.Varies;
import hl7lake.json.Hl7Names;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shape of a structure's staging document, derived from HAPI's v2.5 model classes (never from
 * data), by the same rules and the same {@link Hl7Names} as {@code Hl7JsonWriter} writes it:
 * {@code meta}; the structure's groups and segments, lower case, an array where v2.5 lets them
 * repeat; per segment its v2.5 fields by long name (an array where the field repeats), an
 * {@code ext} map; a field of type varies as an array of strings plus its {@code _typed} object;
 * {@code z_segments} at the root.
 */
public final class DocumentShapes {

    private final Hl7Names names = new Hl7Names();
    private final Map<Class<?>, Shape> segments = new ConcurrentHashMap<>();

    /** The whole document of one v2.5 structure. */
    public Shape.Struct of(String structure) {
        Map<String, Shape> root = new LinkedHashMap<>();
        root.put("meta", MetaShape.META);
        try {
            root.putAll(group(Structures.instance(structure)).fields());
        } catch (HL7Exception e) {
            throw new IllegalStateException("HAPI's v2.5 model of " + structure + " cannot be walked", e);
        }
        root.put("z_segments", MetaShape.Z_SEGMENTS);
        return new Shape.Struct(root, Set.of("meta"));
    }

    private Shape.Struct group(Group group) throws HL7Exception {
        Map<String, Shape> fields = new LinkedHashMap<>();
        for (String name : group.getNames()) {
            Structure child = group.get(name); // an empty instance: only its class and definition are read
            Shape shape = child instanceof Segment segment ? segment(segment) : group((Group) child);
            fields.put(names.structure(name), group.isRepeating(name) ? new Shape.ArrayOf(shape) : shape);
        }
        return new Shape.Struct(fields, Set.of());
    }

    private Shape segment(Segment segment) throws HL7Exception {
        Shape known = segments.get(segment.getClass());
        if (known != null) {
            return known;
        }
        String[] keys = names.fields(segment);
        Map<String, Shape> fields = new LinkedHashMap<>();
        for (int field = 1; field <= keys.length; field++) {
            Type type = segment.getField(field, 0);
            if (type instanceof Varies) {
                fields.put(keys[field - 1], new Shape.ArrayOf(Shape.TEXT));
                fields.put(names.typed(keys[field - 1]), MetaShape.TYPED);
            } else {
                Shape shape = type(type);
                fields.put(keys[field - 1], segment.getMaxCardinality(field) != 1 ? new Shape.ArrayOf(shape) : shape);
            }
        }
        fields.put("ext", Shape.STRING_MAP);
        Shape shape = new Shape.Struct(fields, Set.of());
        segments.put(segment.getClass(), shape);
        return shape;
    }

    /** A primitive (or a varies component, written as one string) is a string; a composite an object of its components. */
    private Shape type(Type type) {
        if (!(type instanceof Composite composite)) {
            return Shape.TEXT;
        }
        Type[] components = composite.getComponents();
        String[] keys = names.components(composite);
        Map<String, Shape> fields = new LinkedHashMap<>();
        for (int i = 0; i < components.length; i++) {
            fields.put(i < keys.length ? keys[i] : Hl7Names.position(i + 1), type(components[i]));
        }
        return new Shape.Struct(fields, Set.of(), true);
    }
}
