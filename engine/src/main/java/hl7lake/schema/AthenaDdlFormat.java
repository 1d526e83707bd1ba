package hl7lake.schema;

import hl7lake.lake.LakeKeys;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A structure's table as Athena DDL: an external table over its staging prefix, read with the
 * OpenX JSON SerDe, partitioned by {@code day} with partition projection, so that queries work
 * without a crawler or {@code MSCK REPAIR TABLE}. Every name is in backticks (the document has
 * names Athena reserves in DDL, such as {@code order} and {@code timestamp}).
 */
public final class AthenaDdlFormat {

    /** The first day partition projection considers. */
    public static final String FIRST_DAY = "2020-01-01";

    private AthenaDdlFormat() {
    }

    /** The Glue/Athena table name of a structure: its name in lower case. */
    public static String table(String structure) {
        return structure.toLowerCase(Locale.ROOT);
    }

    /** The S3 location of a structure's table. */
    public static String location(String bucket, String structure) {
        return "s3://" + bucket + "/" + LakeKeys.stagingTable(structure);
    }

    /** The table properties of partition projection on {@code day}. */
    public static Map<String, String> projection(String location) {
        String day = LakeKeys.PARTITION;
        return new java.util.LinkedHashMap<>(Map.of(
                "projection.enabled", "true",
                "projection." + day + ".type", "date",
                "projection." + day + ".format", "yyyy-MM-dd",
                "projection." + day + ".range", FIRST_DAY + ",NOW",
                "projection." + day + ".interval", "1",
                "projection." + day + ".interval.unit", "DAYS",
                "storage.location.template", location + day + "=${" + day + "}/"));
    }

    public static String of(String structure, Shape.Struct document, String database, String bucket) {
        String location = location(bucket, structure);
        String columns = document.fields().entrySet().stream()
                .map(f -> "  `" + f.getKey() + "` " + GlueFormat.type(f.getValue(), true, 0))
                .collect(Collectors.joining(",\n"));
        String properties = projection(location).entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(p -> "  '" + p.getKey() + "' = '" + p.getValue() + "'")
                .collect(Collectors.joining(",\n"));
        return "CREATE EXTERNAL TABLE IF NOT EXISTS `" + database + "`.`" + table(structure) + "` (\n"
                + columns + "\n)\n"
                + "PARTITIONED BY (`" + LakeKeys.PARTITION + "` string)\n"
                + "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'\n"
                + "LOCATION '" + location + "'\n"
                + "TBLPROPERTIES (\n" + properties + "\n);\n";
    }
}
