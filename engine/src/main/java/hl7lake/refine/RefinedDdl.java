package hl7lake.refine;

import hl7lake.lake.LakeKeys;
import hl7lake.schema.AthenaDdlFormat;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * A refined table as Athena reads it: Parquet files named by the day manifests (Athena's symlink
 * manifests: {@code SymlinkTextInputFormat} reads the files each manifest lists), partitioned by
 * {@code day} with partition projection over the manifests' folders, so that a query reads the
 * current run of each day and nothing else, with no crawler and no {@code MSCK REPAIR TABLE}.
 */
public final class RefinedDdl {

    public static final String SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
    public static final String INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat";
    public static final String OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";

    private RefinedDdl() {
    }

    /** The table's location: the folder of its day manifests. */
    public static String location(String bucket, RefinedTables.Table table) {
        return "s3://" + bucket + "/" + RefinedKeys.manifests(table.name());
    }

    public static String of(RefinedTables.Table table, String database, String bucket) {
        String location = location(bucket, table);
        String columns = table.columns().stream().map(c -> "  `" + c.name() + "` " + c.glue()).collect(Collectors.joining(",\n"));
        String properties = AthenaDdlFormat.projection(location).entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(p -> "  '" + p.getKey() + "' = '" + p.getValue() + "'").collect(Collectors.joining(",\n"));
        return "CREATE EXTERNAL TABLE IF NOT EXISTS `" + database + "`.`" + table.glueName() + "` (\n"
                + columns + "\n)\n"
                + "PARTITIONED BY (`" + LakeKeys.PARTITION + "` string)\n"
                + "ROW FORMAT SERDE '" + SERDE + "'\n"
                + "STORED AS INPUTFORMAT '" + INPUT_FORMAT + "'\n"
                + "OUTPUTFORMAT '" + OUTPUT_FORMAT + "'\n"
                + "LOCATION '" + location + "'\n"
                + "TBLPROPERTIES (\n" + properties + "\n);\n";
    }
}
