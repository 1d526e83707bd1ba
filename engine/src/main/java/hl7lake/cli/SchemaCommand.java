package hl7lake.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import hl7lake.refine.RefinedDdl;
import hl7lake.refine.RefinedTables;
import hl7lake.schema.AthenaDdlFormat;
import hl7lake.schema.DocumentShapes;
import hl7lake.schema.GlueFormat;
import hl7lake.schema.JsonSchemaFormat;
import hl7lake.schema.Shape;
import hl7lake.schema.Structures;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code schema STRUCTURE --format json-schema|glue|athena-ddl [--database D] [--bucket B]}: the
 * shape of a v2.5 structure's staging document, derived from HAPI's model, as a JSON Schema, as
 * Glue columns ({@code [{"Name","Type"}]}, as CloudFormation's {@code AWS::Glue::Table} takes
 * them), or as Athena's {@code CREATE EXTERNAL TABLE}. {@code schema --list}: every structure.
 * Exit 0, or 2 on a usage error or an unknown structure.
 */
public final class SchemaCommand {

    private static final String USAGE = "usage: schema STRUCTURE --format json-schema|glue|athena-ddl"
            + " [--database hl7lake] [--bucket hl7lake]  |  schema --list"
            + "  |  schema --refined TABLE --format glue|athena-ddl [--database hl7lake] [--bucket hl7lake]  |  schema --refined --list";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SchemaCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(Map.of("--database", "hl7lake", "--bucket", "hl7lake"));
        String structure = null;
        String format = null;
        boolean refined = List.of(args).contains("--refined");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--refined")) {
                continue;
            } else if (arg.equals("--list")) {
                if (refined) {
                    RefinedTables.ALL.forEach(t -> out.println(t.name()));
                } else {
                    Structures.all().forEach(out::println);
                }
                return 0;
            } else if (arg.equals("--format") && i + 1 < args.length) {
                format = args[++i];
            } else if (options.containsKey(arg) && i + 1 < args.length) {
                options.put(arg, args[++i]);
            } else if (!arg.startsWith("--") && structure == null) {
                structure = arg;
            } else {
                err.println(USAGE);
                return 2;
            }
        }
        if (structure == null || format == null) {
            err.println(USAGE);
            return 2;
        }
        if (refined) {
            return refined(structure, format, options, out, err);
        }
        Shape.Struct document;
        try {
            document = new DocumentShapes().of(structure);
        } catch (IllegalArgumentException e) {
            err.println("schema: " + e.getMessage() + " (schema --list names them)");
            return 2;
        }
        switch (format) {
            case "json-schema" -> out.println(JSON.writeValueAsString(JsonSchemaFormat.of(structure, document)));
            case "glue" -> out.println(JSON.writeValueAsString(glue(GlueFormat.columns(document))));
            case "athena-ddl" -> out.print(AthenaDdlFormat.of(structure, document, options.get("--database"),
                    options.get("--bucket")));
            default -> {
                err.println(USAGE);
                return 2;
            }
        }
        return 0;
    }

    /** A refined table's columns as Glue takes them, or its Athena DDL (Parquet through the day manifests). */
    private static int refined(String name, String format, Map<String, String> options, PrintStream out, PrintStream err)
            throws Exception {
        RefinedTables.Table table;
        try {
            table = RefinedTables.of(name);
        } catch (IllegalArgumentException e) {
            err.println("schema: " + e.getMessage());
            return 2;
        }
        switch (format) {
            case "glue" -> out.println(JSON.writeValueAsString(glue(table.columns().stream()
                    .map(c -> new GlueFormat.Column(c.name(), c.glue())).toList())));
            case "athena-ddl" -> out.print(RefinedDdl.of(table, options.get("--database"), options.get("--bucket")));
            default -> {
                err.println(USAGE);
                return 2;
            }
        }
        return 0;
    }

    private static List<Map<String, String>> glue(List<GlueFormat.Column> columns) {
        return columns.stream().map(c -> {
            Map<String, String> column = new LinkedHashMap<>();
            column.put("Name", c.name());
            column.put("Type", c.type());
            return column;
        }).toList();
    }
}
