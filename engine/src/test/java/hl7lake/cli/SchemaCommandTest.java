package hl7lake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hl7lake.refine.RefinedTables;
import hl7lake.schema.DocumentShapes;
import hl7lake.schema.GlueFormat;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code schema STRUCTURE --format json-schema|glue|athena-ddl} and {@code schema --list}, as a user runs them. */
class SchemaCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws Exception {
        out.reset();
        err.reset();
        return SchemaCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void each_format_prints_the_structures_shape() throws Exception {
        assertThat(run("ORU_R01", "--format", "json-schema")).isZero();
        JsonNode schema = new ObjectMapper().readTree(out());
        assertThat(schema.get("$schema").asText()).contains("2020-12");
        assertThat(schema.at("/properties/patient_result/items/properties/order_observation/items/properties/observation"
                + "/items/properties/obx/properties/observation_value/type").asText()).isEqualTo("array");
        assertThat(schema.at("/properties/meta/properties/patient_uuid")).isNotNull();

        assertThat(run("ORU_R01", "--format", "glue")).isZero();
        List<GlueFormat.Column> printed = new ArrayList<>();
        new ObjectMapper().readTree(out()).forEach(c -> printed.add(new GlueFormat.Column(c.get("Name").asText(),
                c.get("Type").asText())));
        assertThat(printed).isEqualTo(GlueFormat.columns(new DocumentShapes().of("ORU_R01")));
        assertThat(printed.get(0).name()).isEqualTo("meta");

        assertThat(run("ORM_O01", "--format", "athena-ddl", "--bucket", "my-lake", "--database", "lake")).isZero();
        assertThat(out()).startsWith("CREATE EXTERNAL TABLE IF NOT EXISTS `lake`.`orm_o01` (")
                .contains("  `order` array<struct<", "PARTITIONED BY (`day` string)",
                        "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'",
                        "LOCATION 's3://my-lake/staging/hl7v2/ORM_O01/'", "'projection.day.type' = 'date'",
                        "'storage.location.template' = 's3://my-lake/staging/hl7v2/ORM_O01/day=${day}/'");
    }

    @Test
    void refined_tables_print_their_glue_columns_and_their_ddl_over_the_day_manifests() throws Exception {
        assertThat(run("--refined", "--list")).isZero();
        assertThat(out().lines().toList()).isEqualTo(RefinedTables.ALL.stream().map(RefinedTables.Table::name).toList());

        assertThat(run("--refined", "observations", "--format", "glue")).isZero();
        List<GlueFormat.Column> printed = new ArrayList<>();
        new ObjectMapper().readTree(out()).forEach(c -> printed.add(new GlueFormat.Column(c.get("Name").asText(),
                c.get("Type").asText())));
        assertThat(printed).contains(new GlueFormat.Column("value_number", "double"), new GlueFormat.Column("value_text", "string"),
                new GlueFormat.Column("observation_time", "timestamp"));
        assertThat(printed).hasSize(RefinedTables.OBSERVATIONS.columns().size());

        assertThat(run("--refined", "patients", "--format", "athena-ddl", "--bucket", "my-lake", "--database", "lake")).isZero();
        assertThat(out()).startsWith("CREATE EXTERNAL TABLE IF NOT EXISTS `lake`.`refined_patients` (")
                .contains("  `identifiers` array<string>", "PARTITIONED BY (`day` string)",
                        "ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'",
                        "STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'",
                        "LOCATION 's3://my-lake/refined/_manifests/patients/'",
                        "'storage.location.template' = 's3://my-lake/refined/_manifests/patients/day=${day}/'");

        assertThat(run("--refined", "visits", "--format", "glue")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no refined table visits");
        assertThat(run("--refined", "patients", "--format", "json-schema")).isEqualTo(2);
    }

    @Test
    void list_names_every_v25_structure_and_a_wrong_one_is_a_usage_error() throws Exception {
        assertThat(run("--list")).isZero();
        assertThat(out().lines().toList()).contains("ADT_A01", "OML_O21", "VXU_V04").hasSizeGreaterThan(190);
        assertThat(run("ADT_A99", "--format", "glue")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no message structure ADT_A99");
        assertThat(run("ADT_A01", "--format", "parquet")).isEqualTo(2);
        assertThat(run("ADT_A01")).isEqualTo(2);
        assertThat(run("../etc", "--format", "glue")).isEqualTo(2);
    }
}
