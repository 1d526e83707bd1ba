package hl7lake.deploy;

import hl7lake.lake.LakeKeys;
import hl7lake.refine.RefinedDdl;
import hl7lake.refine.RefinedKeys;
import hl7lake.refine.RefinedTables;
import hl7lake.schema.AthenaDdlFormat;
import hl7lake.schema.DocumentShapes;
import hl7lake.schema.GlueFormat;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stack's Glue tables are the schema command's: per published structure, its columns are
 * exactly {@code schema S --format glue} (name, type, order), partitioned by {@code day} with the
 * same partition projection as {@code --format athena-ddl}, over the structure's staging prefix,
 * read with the OpenX JSON SerDe. A change to the document shape that is not carried into the
 * template fails here.
 */
class GlueTablesTest {

    static final List<String> PUBLISHED = List.of("ADT_A01", "ADT_A05", "ADT_A39", "ORU_R01", "ORM_O01", "OML_O21",
            "SIU_S12", "MDM_T02", "VXU_V04");

    private final Template template = new Template();

    GlueTablesTest() throws Exception {
    }

    @Test
    void each_published_structure_has_a_table_whose_columns_are_the_schema_commands_glue_output() {
        Map<String, Map<String, Object>> tables = new TreeMap<>();
        for (Map<String, Object> table : template.resources("AWS::Glue::Table").values()) {
            String name = String.valueOf(template.map(table, "TableInput").get("Name"));
            if (!name.startsWith("refined_")) { // the refined zone's: the next test
                tables.put(name, table);
            }
        }
        assertThat(tables.keySet()).containsExactlyInAnyOrderElementsOf(PUBLISHED.stream().map(AthenaDdlFormat::table).toList());
        DocumentShapes shapes = new DocumentShapes();
        for (String structure : PUBLISHED) {
            Map<String, Object> input = template.map(tables.get(AthenaDdlFormat.table(structure)), "TableInput");
            Map<String, Object> storage = template.map(input, "StorageDescriptor");
            List<GlueFormat.Column> declared = template.list(storage, "Columns").stream().map(template::map)
                    .map(c -> new GlueFormat.Column(String.valueOf(c.get("Name")), String.valueOf(c.get("Type")))).toList();
            assertThat(declared).as(structure + ": run `schema " + structure + " --format glue` and carry its output"
                    + " into cloudformation/hl7lake.yaml").isEqualTo(GlueFormat.columns(shapes.of(structure)));
            declared.forEach(c -> assertThat(c.type().length()).isLessThanOrEqualTo(GlueFormat.MAX_TYPE_LENGTH));

            assertThat(template.list(input, "PartitionKeys")).containsExactly(Map.of("Name", LakeKeys.PARTITION, "Type", "string"));
            assertThat(template.map(storage, "SerdeInfo").get("SerializationLibrary")).isEqualTo("org.openx.data.jsonserde.JsonSerDe");
            String location = "s3://${LakeBucket}/" + LakeKeys.stagingTable(structure);
            assertThat(template.map(storage, "Location").get("Fn::Sub")).isEqualTo(location);
            Map<String, Object> parameters = new LinkedHashMap<>(template.map(input, "Parameters"));
            assertThat(parameters.remove("classification")).isEqualTo("json");
            Object sub = template.map(parameters.remove("storage.location.template")).get("Fn::Sub");
            Map<String, String> projection = AthenaDdlFormat.projection(location);
            // in Fn::Sub, ${!day} is the literal ${day} Athena substitutes
            assertThat(String.valueOf(sub).replace("${!", "${")).isEqualTo(projection.remove("storage.location.template"));
            assertThat(parameters).isEqualTo(projection);
        }
        assertThat(template.resources("AWS::Glue::Database")).hasSize(1);
    }

    /**
     * The refined tables: each of {@link RefinedTables#ALL} with exactly its columns (what
     * {@code schema --refined T --format glue} prints), Parquet read through the day manifests
     * (Athena's symlink format), partition projection on {@code day} over the manifests' folders.
     */
    @Test
    void each_refined_table_is_declared_with_its_columns_over_its_day_manifests() {
        Map<String, Map<String, Object>> tables = new TreeMap<>();
        for (Map<String, Object> table : template.resources("AWS::Glue::Table").values()) {
            String name = String.valueOf(template.map(table, "TableInput").get("Name"));
            if (name.startsWith("refined_")) {
                tables.put(name, table);
            }
        }
        assertThat(tables.keySet()).containsExactlyInAnyOrderElementsOf(RefinedTables.ALL.stream().map(RefinedTables.Table::glueName).toList());
        for (RefinedTables.Table table : RefinedTables.ALL) {
            Map<String, Object> input = template.map(tables.get(table.glueName()), "TableInput");
            Map<String, Object> storage = template.map(input, "StorageDescriptor");
            List<GlueFormat.Column> declared = template.list(storage, "Columns").stream().map(template::map)
                    .map(c -> new GlueFormat.Column(String.valueOf(c.get("Name")), String.valueOf(c.get("Type")))).toList();
            assertThat(declared).as(table.name() + ": run `schema --refined " + table.name() + " --format glue`")
                    .isEqualTo(table.columns().stream().map(c -> new GlueFormat.Column(c.name(), c.glue())).toList());
            assertThat(template.list(input, "PartitionKeys")).containsExactly(Map.of("Name", LakeKeys.PARTITION, "Type", "string"));
            assertThat(template.map(storage, "SerdeInfo").get("SerializationLibrary")).isEqualTo(RefinedDdl.SERDE);
            assertThat(storage.get("InputFormat")).isEqualTo(RefinedDdl.INPUT_FORMAT);
            assertThat(storage.get("OutputFormat")).isEqualTo(RefinedDdl.OUTPUT_FORMAT);
            String location = "s3://${LakeBucket}/" + RefinedKeys.manifests(table.name());
            assertThat(template.map(storage, "Location").get("Fn::Sub")).isEqualTo(location);
            Map<String, Object> parameters = new LinkedHashMap<>(template.map(input, "Parameters"));
            assertThat(parameters.remove("classification")).isEqualTo("parquet");
            Object sub = template.map(parameters.remove("storage.location.template")).get("Fn::Sub");
            Map<String, String> projection = AthenaDdlFormat.projection(location);
            assertThat(String.valueOf(sub).replace("${!", "${")).isEqualTo(projection.remove("storage.location.template"));
            assertThat(parameters).isEqualTo(projection);
        }
    }

    @Test
    void the_template_stays_within_what_cloudformation_takes_from_s3() throws Exception {
        // 1 MB for a template uploaded to S3 (aws cloudformation deploy --s3-bucket); see README, Deploy on AWS
        assertThat(Files.size(Template.FILE)).isLessThan(1_000_000L);
    }
}
