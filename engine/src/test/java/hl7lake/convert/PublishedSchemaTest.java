package hl7lake.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import hl7lake.TestFiles;
import hl7lake.schema.DocumentShapes;
import hl7lake.schema.GlueFormat;
import hl7lake.schema.JsonSchemaFormat;
import hl7lake.schema.Shape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published schema is the shape the converter writes: documents of every structure the stack
 * publishes (generated variety, every sample, the seed messages when present) validate against
 * {@code schema S --format json-schema} (closed objects: a key or a type it does not name fails),
 * and DuckDB reads every column {@code --format glue} declares, with the declared type, from them.
 */
class PublishedSchemaTest {

    static final List<String> PUBLISHED = List.of("ADT_A01", "ADT_A05", "ADT_A39", "ORU_R01", "ORM_O01", "OML_O21",
            "SIU_S12", "MDM_T02", "VXU_V04");
    /** OML^O21 has no sample: a few of its shapes, with a group repeated and a Z-segment. */
    static final List<String> OML = List.of(
            "MSH|^~\\&|LIS|LAB|LAKE|L|20261102083015||OML^O21^OML_O21|OML-1|P|2.5\r"
                    + "PID|1||P1^^^AUTH^MR||DOE^JANE||19800101|F\rPV1|1|O\r"
                    + "ORC|NW|PO1|||||||20261102083015\rOBR|1|PO1||2345-7^Glucose^LN\rSPM|1|S1||BLD^Blood^HL70487\r",
            "MSH|^~\\&|LIS|LAB|LAKE|L|20261102083015||OML^O21|OML-2|P|2.5.1\r"
                    + "PID|1||P2^^^AUTH^MR~P3^^^OTHER^PI||ROE^RICHARD^^^^^L~ALIAS^A|||M^Male^HL70001\rZPI|1|VIP\r"
                    + "ORC|NW|PO2\rOBR|1|PO2||718-7^Hemoglobin^LN\rOBX|1|NM|718-7^Hemoglobin^LN||13.5|g/dL\r"
                    + "ORC|NW|PO3\rOBR|2|PO3||4548-4^HbA1c^LN\rNTE|1||note \\T\\ more\r");

    private static final Map<String, List<JsonNode>> documents = new TreeMap<>();
    @TempDir
    static Path lake;

    @BeforeAll
    static void convert() throws Exception {
        List<byte[]> messages = new ArrayList<>();
        StagingCorpus generator = new StagingCorpus(11L);
        for (String structure : List.of("ADT_A01", "ORU_R01", "ORM_O01", "SIU_S12")) {
            generator.generate(structure, 150).forEach(m -> messages.add(m.er7().getBytes(StandardCharsets.UTF_8)));
        }
        OML.forEach(m -> messages.add(m.getBytes(StandardCharsets.UTF_8)));
        List<Path> files = new ArrayList<>(TestFiles.acceptedSamples());
        if (TestFiles.seedPresent()) {
            files.addAll(TestFiles.seedFiles());
        }
        for (Path file : files) {
            messages.addAll(Conversions.messages(TestFiles.read(file)));
        }
        int n = 0;
        for (byte[] message : messages) {
            Conversion.Accepted accepted = Conversions.accepted(Conversions.convert(message));
            String structure = accepted.metadata().structure();
            // the document as the engine stores it: with the patient uuid the catalog assigns
            byte[] document = accepted.document("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b");
            documents.computeIfAbsent(structure, s -> new ArrayList<>()).add(Conversions.JSON.readTree(document));
            Path dir = lake.resolve(structure).resolve("day=2026-11-0" + (1 + n % 3));
            Files.createDirectories(dir);
            Files.write(dir.resolve(String.format("%05d.json", ++n)), document);
        }
        assertThat(documents.keySet()).containsAll(PUBLISHED);
    }

    private static Schema schema(String structure) {
        ObjectNode json = JsonSchemaFormat.of(structure, new DocumentShapes().of(structure));
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(json);
    }

    @Test
    void every_document_validates_against_the_json_schema_of_its_structure() {
        for (Map.Entry<String, List<JsonNode>> structure : documents.entrySet()) {
            if (!hl7lake.schema.Structures.all().contains(structure.getKey())) {
                continue; // a site-specific structure (ZDT_Z01) has no v2.5 class, so no published schema
            }
            Schema schema = schema(structure.getKey());
            for (JsonNode document : structure.getValue()) {
                List<Error> errors = schema.validate(document);
                assertThat(errors).as(structure.getKey() + " " + document.at("/meta/control_id").asText()).isEmpty();
            }
        }
    }

    @Test
    void a_document_that_leaves_the_shape_fails_validation() {
        Schema schema = schema("ADT_A01");
        JsonNode document = documents.get("ADT_A01").get(0);
        assertThat(schema.validate(document)).isEmpty();
        ObjectNode typeChanged = document.deepCopy();
        ((ObjectNode) typeChanged.get("msh")).putObject("message_control_id").put("1", "x");
        assertThat(schema.validate(typeChanged)).isNotEmpty();
        ObjectNode keyAdded = document.deepCopy();
        ((ObjectNode) keyAdded.get("msh")).put("not_a_v25_field", "x");
        assertThat(schema.validate(keyAdded)).isNotEmpty();
        ObjectNode notAnArray = document.deepCopy();
        ((ObjectNode) notAnArray.get("pid")).put("patient_name", "DOE");
        assertThat(schema.validate(notAnArray)).isNotEmpty();
    }

    @Test
    void duckdb_reads_every_declared_column_with_its_declared_type() throws Exception {
        try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = duckdb.createStatement()) {
            statement.execute("SET memory_limit = '1GB'");
            statement.execute("SET threads = 2");
            for (String structure : PUBLISHED) {
                List<GlueFormat.Column> columns = GlueFormat.columns(new DocumentShapes().of(structure));
                String declared = columns.stream().map(c -> "'" + c.name() + "': '" + HiveTypes.duckdb(c.type()) + "'")
                        .collect(Collectors.joining(", ", "{", "}"));
                String table = "read_json('" + lake.resolve(structure) + "/*/*.json', columns = " + declared
                        + ", hive_partitioning = true, hive_types = {'day': 'VARCHAR'})";
                statement.execute("CREATE OR REPLACE VIEW t AS SELECT * FROM " + table);
                Map<String, String> described = new TreeMap<>();
                try (ResultSet rows = statement.executeQuery("DESCRIBE t")) {
                    while (rows.next()) {
                        described.put(rows.getString("column_name"), rows.getString("column_type"));
                    }
                }
                assertThat(described.keySet()).as(structure)
                        .containsAll(columns.stream().map(GlueFormat.Column::name).toList()).contains("day");
                for (GlueFormat.Column column : columns) {
                    try (ResultSet same = statement.executeQuery("SELECT typeof(CAST(NULL AS "
                            + HiveTypes.duckdb(column.type()) + "))")) {
                        same.next();
                        assertThat(described.get(column.name())).as(structure + "." + column.name()).isEqualTo(same.getString(1));
                    }
                }
                try (ResultSet rows = statement.executeQuery(
                        "SELECT count(*), count(meta.message_id), count(DISTINCT meta.control_id), count(msh) FROM t")) {
                    rows.next();
                    int expected = documents.get(structure).size();
                    assertThat(rows.getInt(1)).as(structure).isEqualTo(expected);
                    assertThat(rows.getInt(2)).as(structure).isEqualTo(expected);
                    assertThat(rows.getInt(4)).as(structure).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void every_v25_structure_has_a_schema_within_glue_and_athena_limits() {
        List<String> all = hl7lake.schema.Structures.all();
        assertThat(all).hasSizeGreaterThan(190).containsAll(PUBLISHED);
        DocumentShapes shapes = new DocumentShapes();
        for (String structure : all) {
            Shape.Struct document = shapes.of(structure);
            assertThat(document.fields()).as(structure).containsKeys("meta", "msh", "z_segments");
            GlueFormat.columns(document).forEach(c ->
                    assertThat(c.type().length()).as(structure + "." + c.name()).isLessThanOrEqualTo(GlueFormat.MAX_TYPE_LENGTH));
            // Athena takes a query string of at most 262,144 bytes
            assertThat(hl7lake.schema.AthenaDdlFormat.of(structure, document, "hl7lake", "b").length())
                    .as(structure).isLessThan(262_144);
        }
    }
}
