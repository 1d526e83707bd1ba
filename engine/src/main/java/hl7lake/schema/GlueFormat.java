package hl7lake.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A structure's document shape as Glue (Hive) columns: one per top-level key, typed
 * {@code string}, {@code double}, {@code int}, {@code array<…>}, {@code struct<…>} or
 * {@code map<string,string>}. Names go into the type strings as they are: Glue stores the string,
 * and the Hive type parser Athena reads it with takes any name of letters, digits and underscores.
 */
public final class GlueFormat {

    /** Glue's limit on one column's type string (Column.Type, 131,072 characters). */
    public static final int MAX_TYPE_LENGTH = 131_072;

    public record Column(String name, String type) {
    }

    private GlueFormat() {
    }

    public static List<Column> columns(Shape.Struct document) {
        List<Column> columns = new ArrayList<>();
        for (Map.Entry<String, Shape> field : document.fields().entrySet()) {
            String type = type(field.getValue(), false, 0);
            if (type.length() > MAX_TYPE_LENGTH) {
                throw new IllegalStateException("column " + field.getKey() + " needs a type of " + type.length()
                        + " characters, over Glue's " + MAX_TYPE_LENGTH);
            }
            columns.add(new Column(field.getKey(), type));
        }
        return columns;
    }

    /**
     * How many parts of a composite inside a composite (a component's subcomponents, e.g. HD in CX,
     * FN in XPN) the Hive declaration names; see {@link #type}.
     */
    public static final int SUBCOMPONENTS = 2;

    /**
     * The Hive type of a shape; {@code quoted}: names in backticks, as DDL wants them;
     * {@code composites}: how many composites this one is inside. A composite inside a composite is
     * declared with its first {@link #SUBCOMPONENTS} parts only: the full shape of the nine tables
     * the stack declares takes 1.15 million characters, over CloudFormation's 1 MB template, and one
     * column (OML_O21's {@code order}) 153,005, over Glue's 131,072 (docs/decisions.md, "Glue tables").
     * The JSON SerDe ignores what a table does not declare; the documents keep everything.
     */
    static String type(Shape shape, boolean quoted, int composites) {
        if (shape instanceof Shape.Number number) {
            return number.integer() ? "int" : "double";
        } else if (shape instanceof Shape.ArrayOf array) {
            return "array<" + type(array.element(), quoted, composites) + ">";
        } else if (shape instanceof Shape.StringMap) {
            return "map<string,string>";
        } else if (shape instanceof Shape.Struct struct) {
            int depth = struct.composite() ? composites + 1 : composites;
            return struct.fields().entrySet().stream().limit(depth > 1 ? SUBCOMPONENTS : Long.MAX_VALUE)
                    .map(f -> (quoted ? "`" + f.getKey() + "`" : f.getKey()) + ":" + type(f.getValue(), quoted, depth))
                    .collect(Collectors.joining(",", "struct<", ">"));
        }
        return "string";
    }
}
