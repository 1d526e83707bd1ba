package hl7lake.convert;

import java.util.ArrayList;
import java.util.List;

/** Glue (Hive) type strings as DuckDB types: struct, array, map, string, int, double. */
final class HiveTypes {

    private final String hive;
    private int at;

    private HiveTypes(String hive) {
        this.hive = hive;
    }

    static String duckdb(String hive) {
        HiveTypes parser = new HiveTypes(hive);
        String type = parser.type();
        if (parser.at != hive.length()) {
            throw new IllegalArgumentException("trailing text in a Hive type at " + parser.at);
        }
        return type;
    }

    private String type() {
        if (take("struct<")) {
            List<String> fields = new ArrayList<>();
            do {
                int colon = hive.indexOf(':', at);
                String name = hive.substring(at, colon);
                at = colon + 1;
                fields.add("\"" + name + "\" " + type());
            } while (hive.charAt(at++) == ',');
            return "STRUCT(" + String.join(", ", fields) + ")";
        }
        if (take("array<")) {
            String element = type();
            expect('>');
            return element + "[]";
        }
        if (take("map<string,string>")) {
            return "MAP(VARCHAR, VARCHAR)";
        }
        if (take("string")) {
            return "VARCHAR";
        }
        if (take("double")) {
            return "DOUBLE";
        }
        if (take("int")) {
            return "INTEGER";
        }
        throw new IllegalArgumentException("not a Hive type at " + at);
    }

    private boolean take(String token) {
        if (hive.startsWith(token, at)) {
            at += token.length();
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (hive.charAt(at++) != c) {
            throw new IllegalArgumentException("expected " + c + " at " + (at - 1));
        }
    }
}
