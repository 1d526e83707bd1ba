package hl7lake.convert;

import com.fasterxml.jackson.databind.JsonNode;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.TestFiles;
import hl7lake.config.AwsClients;
import hl7lake.ingest.Inbound;
import hl7lake.ingest.Ingestion;
import hl7lake.ingest.Outcome;
import hl7lake.schema.AthenaDdlFormat;
import hl7lake.schema.DocumentShapes;
import hl7lake.schema.GlueFormat;
import hl7lake.schema.Shape;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The running engine (local mode) ingests generated messages of four structures, OML^O21 messages
 * and the samples; its staging objects, fetched from its S3 with the AWS SDK into the layout
 * README's {@code aws s3 sync} gives ({@code staging/<STRUCTURE>/day=…/<id>.json}), are read by
 * DuckDB: no column typed JSON per structure; each document's {@code meta.patient_uuid} is the
 * uuid the catalog linked the message to (absent when the message names no patient); and every
 * SQL query of README.md, taken from README.md itself, returns the expected rows: the DuckDB ones
 * over the files, the Athena ones over views declared with the stack's Glue columns
 * ({@code schema --format glue}), their {@code UNNEST} column lists checked against the tables.
 */
class StagingSqlEngineTest {

    private static final int PER_STRUCTURE = 150; // enough that the seeded corpus holds several glucose results and ZPI rows
    private static final Pattern JSON_TYPE = Pattern.compile("(?<![\\w\"])JSON(?![\\w\"])");
    private static final String PATIENT_ID = "GOODHEALTH#MR#MRN-1000001";
    /** A message that names no patient: no PID, so no identifiers and no uuid. */
    private static final String NO_PATIENT = "MSH|^~\\&|OE|GOODHEALTH|LAKE|L|20261102083015||ORM^O01|NOPID-1|P|2.5\r"
            + "ORC|NW|PO1\rOBR|1|PO1||2345-7^Glucose^LN\r";

    @TempDir
    static Path download;
    private static final Map<String, List<StagingCorpus.Generated>> corpus = new TreeMap<>();
    private static final Map<String, Integer> ingested = new HashMap<>();
    /** staging key -> the patient uuid the catalog linked the message to (null: none). */
    private static final Map<String, String> patientOf = new HashMap<>();
    /** staging key -> the document the engine stored. */
    private static final Map<String, JsonNode> stored = new TreeMap<>();
    private static Connection duckdb;

    @BeforeAll
    static void ingestFetchAndConnect() throws Exception {
        try (Engine engine = Engine.start(TestEngines.local(Map.of()));
             S3Client s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1")) {
            ProducerTemplate template = engine.camel().createProducerTemplate();
            StagingCorpus generator = new StagingCorpus(7L);
            // sorted: Map.of's order changes from one JVM to the next, and with it what the seeded generator makes
            for (String structure : new TreeSet<>(StagingSqlTest.PATIENT_NAME.keySet())) {
                corpus.put(structure, generator.generate(structure, PER_STRUCTURE));
                for (StagingCorpus.Generated message : corpus.get(structure)) {
                    ingest(template, message.er7().getBytes(StandardCharsets.UTF_8));
                }
            }
            for (Path file : TestFiles.acceptedSamples()) {
                for (byte[] message : Conversions.messages(TestFiles.read(file))) {
                    ingest(template, message);
                }
            }
            for (String oml : PublishedSchemaTest.OML) {
                ingest(template, oml.getBytes(StandardCharsets.UTF_8));
            }
            ingest(template, NO_PATIENT.getBytes(StandardCharsets.UTF_8));
            Map<String, Integer> fetched = new HashMap<>();
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket("hl7lake").prefix("staging/hl7v2/")).contents()) {
                // as `aws s3 sync s3://hl7lake/staging/hl7v2 staging` lays them out
                Path target = download.resolve("staging").resolve(object.key().substring("staging/hl7v2/".length()));
                Files.createDirectories(target.getParent());
                byte[] document = s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(object.key())).asByteArray();
                Files.write(target, document);
                fetched.merge(object.key().split("/")[2], 1, Integer::sum);
                stored.put(object.key(), Conversions.JSON.readTree(document));
            }
            assertThat(fetched).isEqualTo(ingested);
        }
        duckdb = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement statement = duckdb.createStatement()) {
            statement.execute("SET memory_limit = '1GB'");
            statement.execute("SET threads = 2");
            statement.execute("SET preserve_insertion_order = false");
            // README's DuckDB queries read 'staging/...' from the folder that holds staging/
            statement.execute("SET file_search_path = '" + download + "'");
        }
    }

    @AfterAll
    static void close() throws SQLException {
        if (duckdb != null) {
            duckdb.close();
        }
    }

    private static void ingest(ProducerTemplate template, byte[] bytes) {
        Ingestion done = template.requestBody("direct:ingest", Inbound.of(bytes, "test", Instant.now()), Ingestion.class);
        assertThat(done.outcome()).isEqualTo(Outcome.ACCEPTED);
        Ingestion.Accepted accepted = (Ingestion.Accepted) done;
        ingested.merge(accepted.stagingKey().split("/")[2], 1, Integer::sum);
        patientOf.put(accepted.stagingKey(), accepted.patient().uuid());
    }

    @Test
    void duckdb_reads_what_the_engine_wrote_with_one_schema_per_structure() throws Exception {
        for (String structure : ingested.keySet()) {
            String table = "read_json_auto('" + download.resolve("staging").resolve(structure)
                    + "/*/*.json', union_by_name = true, hive_partitioning = true)";
            List<String> json = new ArrayList<>();
            for (List<String> row : query("DESCRIBE SELECT * FROM " + table)) {
                if (JSON_TYPE.matcher(row.get(1)).find()) {
                    json.add(row.get(0) + " " + row.get(1));
                }
            }
            assertThat(json).as(structure + ": columns typed JSON").isEmpty();
        }
    }

    @Test
    void each_staging_document_carries_the_patient_uuid_the_catalog_linked_it_to() {
        for (Map.Entry<String, JsonNode> document : stored.entrySet()) {
            JsonNode meta = document.getValue().get("meta");
            assertThat(meta.has("patient_uuid") ? meta.get("patient_uuid").asText() : null).as(document.getKey())
                    .isEqualTo(patientOf.get(document.getKey()));
        }
        assertThat(patientOf).containsValue(null);
        // the generator reuses identifiers: messages of one patient carry one uuid
        List<String> uuids = patientOf.values().stream().filter(Objects::nonNull).toList();
        assertThat(new HashSet<>(uuids)).hasSizeLessThan(uuids.size());
    }

    /** The ```sql blocks of README.md whose first line starts with {@code -- <engine>}, one entry per statement. */
    private static List<String> readme(String engine) throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<String> statements = new ArrayList<>();
        Matcher block = Pattern.compile("```sql\n(.*?)```", Pattern.DOTALL).matcher(readme);
        while (block.find()) {
            if (block.group(1).startsWith("-- " + engine + ":")) {
                for (String statement : block.group(1).split(";\n")) {
                    if (!statement.isBlank()) {
                        statements.add(statement.strip());
                    }
                }
            }
        }
        return statements;
    }

    @Test
    void readmes_duckdb_queries_return_the_expected_rows() throws Exception {
        List<String> sql = readme("DuckDB");
        assertThat(sql).hasSize(5);
        assertBlogRows(query(sql.get(0)));
        assertGlucoseRows(query(sql.get(1)));
        assertThat(query(sql.get(2))).containsExactlyInAnyOrderElementsOf(patientsPerFacilityAndDay(s -> true));
        assertThat(query(sql.get(3))).containsExactlyInAnyOrderElementsOf(messagesOf(PATIENT_ID, s -> true));
        assertZpiRows(query(sql.get(4)));
    }

    @Test
    void readmes_athena_queries_bind_to_the_stacks_tables_and_return_the_expected_rows() throws Exception {
        DocumentShapes shapes = new DocumentShapes();
        try (Statement statement = duckdb.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS hl7lake");
            for (String structure : PublishedSchemaTest.PUBLISHED) {
                String columns = GlueFormat.columns(shapes.of(structure)).stream()
                        .map(c -> "'" + c.name() + "': '" + HiveTypes.duckdb(c.type()) + "'")
                        .collect(Collectors.joining(", ", "{", "}"));
                statement.execute("CREATE OR REPLACE VIEW hl7lake." + AthenaDdlFormat.table(structure) + " AS SELECT * FROM read_json('"
                        + download.resolve("staging").resolve(structure) + "/*/*.json', columns = " + columns
                        + ", hive_partitioning = true, hive_types = {'day': 'VARCHAR'})");
            }
        }
        List<String> sql = readme("Athena").stream().map(s -> athenaOnDuckDb(s, shapes)).toList();
        assertThat(sql).hasSize(5);
        assertBlogRows(query(sql.get(0)));
        assertGlucoseRows(query(sql.get(1)));
        assertThat(query(sql.get(2))).containsExactlyInAnyOrderElementsOf(patientsPerFacilityAndDay(Set.of("ADT_A01")::contains));
        assertThat(query(sql.get(3))).containsExactlyInAnyOrderElementsOf(
                messagesOf(PATIENT_ID, Set.of("ADT_A01", "ADT_A39", "ORU_R01")::contains));
        assertZpiRows(query(sql.get(4)));
    }

    private static final Pattern TABLE = Pattern.compile("FROM hl7lake\\.(\\w+) AS (\\w+)");
    private static final Pattern UNNEST = Pattern.compile("UNNEST\\((\\w+)((?:\\.\\w+)+)\\) AS (\\w+) \\(([^)]*)\\)");

    /**
     * Athena expands an array of structs into one column per field, named by the list after the
     * alias: each list must be the table's fields in order. DuckDB keeps the struct whole, so for
     * DuckDB the list becomes one column of the alias's name.
     */
    private static String athenaOnDuckDb(String sql, DocumentShapes shapes) {
        Map<String, Shape.Struct> aliases = new HashMap<>();
        Matcher table = TABLE.matcher(sql);
        while (table.find()) {
            aliases.put(table.group(2), shapes.of(table.group(1).toUpperCase(Locale.ROOT)));
        }
        StringBuilder out = new StringBuilder();
        Matcher unnest = UNNEST.matcher(sql);
        while (unnest.find()) {
            Shape shape = aliases.get(unnest.group(1));
            for (String step : unnest.group(2).substring(1).split("\\.")) {
                shape = ((Shape.Struct) shape).fields().get(step);
                assertThat(shape).as(unnest.group()).isNotNull();
            }
            Shape.Struct element = (Shape.Struct) ((Shape.ArrayOf) shape).element();
            List<String> columns = Arrays.stream(unnest.group(4).split(",")).map(c -> c.strip().replace("\"", "")).toList();
            assertThat(columns).as(unnest.group()).isEqualTo(List.copyOf(element.fields().keySet()));
            aliases.put(unnest.group(3), element);
            unnest.appendReplacement(out, Matcher.quoteReplacement("UNNEST(" + unnest.group(1) + unnest.group(2) + ") AS "
                    + unnest.group(3) + "_rows(" + unnest.group(3) + ")"));
        }
        unnest.appendTail(out);
        return out.toString();
    }

    private void assertBlogRows(List<List<String>> rows) {
        long documents = PublishedSchemaTest.PUBLISHED.stream().mapToLong(s -> ingested.getOrDefault(s, 0)).sum();
        assertThat(rows).hasSize((int) documents);
        assertThat(PublishedSchemaTest.PUBLISHED).allSatisfy(s -> assertThat(ingested).containsKey(s));
        for (Map.Entry<String, List<StagingCorpus.Generated>> structure : corpus.entrySet()) {
            for (StagingCorpus.Generated m : structure.getValue()) {
                assertThat(rows).contains(row(structure.getKey(), m.controlId(), m.given(), m.surname()));
            }
        }
        // the sample's patient: found in ADT_A01 (PID at the root) and ADT_A39 (in a group)
        assertThat(rows).contains(row("ADT_A01", "ADT-A01-0001", "ALPHA", "TESTPATIENT"),
                row("ADT_A39", "ADT-A40-0001", "ALPHA", "TESTPATIENT"));
    }

    private void assertGlucoseRows(List<List<String>> rows) {
        List<List<String>> expected = corpus.get("ORU_R01").stream().flatMap(m -> m.glucose().stream())
                .map(n -> row(n.controlId(), Double.toString(n.value()), n.unit())).sorted(ROWS).toList();
        assertThat(expected).hasSizeGreaterThan(3);
        assertThat(rows.stream().filter(r -> r.get(0).startsWith("G")).sorted(ROWS).toList()).isEqualTo(expected);
    }

    private void assertZpiRows(List<List<String>> rows) {
        List<List<String>> expected = corpus.get("ADT_A01").stream().flatMap(m -> m.zpi().stream())
                .map(z -> row(z.controlId(), z.field1(), z.field2())).sorted(ROWS).toList();
        assertThat(expected).hasSizeGreaterThan(3);
        assertThat(rows.stream().filter(r -> r.get(0).startsWith("G")).sorted(ROWS).toList()).isEqualTo(expected);
        assertThat(rows).contains(row("ADT-A01-0001", "1", "VIP")); // the sample's ZPI, inside insurance
    }

    /** (facility, day, distinct patient uuids) from the stored documents, for the structures chosen. */
    private static List<List<String>> patientsPerFacilityAndDay(java.util.function.Predicate<String> structures) {
        Map<List<String>, Set<String>> patients = new HashMap<>();
        stored.forEach((key, document) -> {
            JsonNode meta = document.get("meta");
            if (!structures.test(meta.get("structure").asText())) {
                return;
            }
            String day = key.split("/")[3].substring("day=".length());
            Set<String> set = patients.computeIfAbsent(row(text(meta, "sending_facility"), day), k -> new HashSet<>());
            if (meta.has("patient_uuid")) {
                set.add(meta.get("patient_uuid").asText());
            }
        });
        return patients.entrySet().stream().map(e -> row(e.getKey().get(0), e.getKey().get(1),
                Integer.toString(e.getValue().size()))).toList();
    }

    /** (structure, control id, message id) of the stored documents that name the identifier. */
    private static List<List<String>> messagesOf(String id, java.util.function.Predicate<String> structures) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode document : stored.values()) {
            JsonNode meta = document.get("meta");
            if (structures.test(meta.get("structure").asText()) && meta.has("patient_ids")
                    && meta.get("patient_ids").toString().contains("\"" + id + "\"")) {
                rows.add(row(meta.get("structure").asText(), text(meta, "control_id"), text(meta, "message_id")));
            }
        }
        assertThat(rows).hasSizeGreaterThan(1);
        return rows;
    }

    private static String text(JsonNode node, String key) {
        return node.hasNonNull(key) ? node.get(key).asText() : null;
    }

    private static final Comparator<List<String>> ROWS = Comparator.comparing(r -> String.join("\u0000",
            r.stream().map(String::valueOf).toList()));

    private static List<String> row(String... values) {
        return Arrays.asList(values);
    }

    private static List<List<String>> query(String sql) throws SQLException {
        return DuckDbRows.of(duckdb, sql);
    }
}
