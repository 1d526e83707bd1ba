package hl7lake.schema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shape of a value in a staging document, as the converter writes it: one of five kinds, so
 * that each output format (JSON Schema, Glue types, Athena DDL) is a plain walk over it.
 */
public sealed interface Shape {

    /** A string; JSON {@code null} too (the HL7 null {@code ""} of a named value). */
    record Text() implements Shape {
    }

    /** A JSON number: a double ({@code integer} false) or an integer (counts, positions). */
    record Number(boolean integer) implements Shape {
    }

    /** A JSON array of one element shape. */
    record ArrayOf(Shape element) implements Shape {
    }

    /**
     * A JSON object with a fixed set of keys, in the order written; {@code required} are in every
     * document; {@code composite}: an HL7 composite data type (its keys are components).
     */
    record Struct(Map<String, Shape> fields, Set<String> required, boolean composite) implements Shape {

        public Struct {
            fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
            required = Set.copyOf(required);
        }

        public Struct(Map<String, Shape> fields, Set<String> required) {
            this(fields, required, false);
        }
    }

    /** A JSON object string → string whose keys are data (positions), not names: {@code ext}, {@code fields}. */
    record StringMap() implements Shape {
    }

    Text TEXT = new Text();
    Number DOUBLE = new Number(false);
    Number INTEGER = new Number(true);
    StringMap STRING_MAP = new StringMap();

    /** A struct of the keys in order, each a string, none required. */
    static Struct texts(List<String> keys) {
        Map<String, Shape> fields = new LinkedHashMap<>();
        keys.forEach(key -> fields.put(key, TEXT));
        return new Struct(fields, Set.of());
    }
}
