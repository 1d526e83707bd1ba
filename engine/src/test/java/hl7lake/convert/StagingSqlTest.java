package hl7lake.convert;

import com.fasterxml.jackson.databind.JsonNode;
import hl7lake.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The staging zone answers plain SQL, with a real SQL engine (DuckDB, reading JSON as Athena does):
 * a generated corpus of 600 messages per structure for ADT_A01, ORU_R01, ORM_O01 and SIU_S12
 * ({@link StagingCorpus}), every accepted sample and every seed message (when present) are
 * converted and laid out as the lake lays them out ({@code STRUCTURE/day=…/id.json}); per
 * structure, every JSON path has one JSON type in every document, DuckDB's {@code read_json_auto}
 * with {@code union_by_name} infers no column typed JSON anywhere, and README's queries return
 * exactly the rows the generator put in, without JSON functions or casts.
 */
class StagingSqlTest {

    private static final int PER_STRUCTURE = 600;
    private static final List<String> GENERATED = List.of("ADT_A01", "ORU_R01", "ORM_O01", "SIU_S12");
    /** Samples and seed messages land on a day of their own, so that the generated days hold only generated rows. */
    private static final String OTHER_DAY = "2026-10-31";
    private static final Pattern JSON_TYPE = Pattern.compile("(?<![\\w\"])JSON(?![\\w\"])");

    @TempDir
    static Path lake;
    private static final Map<String, List<StagingCorpus.Generated>> corpus = new TreeMap<>();
    private static final Map<String, List<JsonNode>> documents = new TreeMap<>();
    private static Connection duckdb;

    @BeforeAll
    static void convertAndConnect() throws Exception {
        StagingCorpus generator = new StagingCorpus(20261127L);
        int file = 0;
        for (String structure : GENERATED) {
            List<StagingCorpus.Generated> messages = generator.generate(structure, PER_STRUCTURE);
            corpus.put(structure, messages);
            for (StagingCorpus.Generated message : messages) {
                Conversion conversion = Conversions.convert(message.er7().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertThat(conversion).as(message.controlId()).isInstanceOf(Conversion.Accepted.class);
                store(Conversions.accepted(conversion), message.day(), ++file);
                assertThat(Conversions.accepted(conversion).metadata().structure()).isEqualTo(structure);
            }
        }
        List<Path> files = new ArrayList<>(TestFiles.acceptedSamples());
        if (TestFiles.seedPresent()) {
            files.addAll(TestFiles.seedFiles());
        }
        for (Path path : files) {
            for (byte[] message : Conversions.messages(TestFiles.read(path))) {
                store(Conversions.accepted(Conversions.convert(message)), OTHER_DAY, ++file);
            }
        }
        duckdb = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement statement = duckdb.createStatement()) {
            statement.execute("SET memory_limit = '1GB'");
            statement.execute("SET threads = 2");
            statement.execute("SET preserve_insertion_order = false");
        }
    }

    private static void store(Conversion.Accepted accepted, String day, int n) throws IOException {
        String structure = accepted.metadata().structure();
        Path dir = lake.resolve(structure).resolve("day=" + day);
        Files.createDirectories(dir);
        Files.write(dir.resolve(String.format("%06d.json", n)), accepted.document());
        documents.computeIfAbsent(structure, s -> new ArrayList<>()).add(Conversions.JSON.readTree(accepted.document()));
    }

    @AfterAll
    static void close() throws SQLException {
        if (duckdb != null) {
            duckdb.close();
        }
    }

    private static String table(String structure) {
        return "read_json_auto('" + lake.resolve(structure) + "/*/*.json', union_by_name = true, hive_partitioning = true)";
    }

    @Test
    void every_path_of_a_structure_has_one_json_type_in_every_document() {
        assertThat(documents.keySet()).containsAll(GENERATED);
        for (Map.Entry<String, List<JsonNode>> structure : documents.entrySet()) {
            Map<String, Set<String>> types = new TreeMap<>();
            for (JsonNode document : structure.getValue()) {
                paths(document, "", types);
            }
            Map<String, Set<String>> conflicts = types.entrySet().stream().filter(e -> e.getValue().size() > 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
            assertThat(conflicts).as(structure.getKey() + " paths with more than one JSON type").isEmpty();
        }
    }

    private static void paths(JsonNode node, String path, Map<String, Set<String>> types) {
        if (node.isNull()) {
            return; // null is compatible with any type (and a SQL NULL)
        }
        String type = node.isObject() ? "object" : node.isArray() ? "array" : node.isTextual() ? "string"
                : node.isNumber() ? "number" : node.isBoolean() ? "boolean" : node.getNodeType().name();
        types.computeIfAbsent(path, p -> new TreeSet<>()).add(type);
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> paths(e.getValue(), path + "." + e.getKey(), types));
        } else if (node.isArray()) {
            node.forEach(element -> paths(element, path + "[]", types));
        }
    }

    @Test
    void duckdb_infers_no_column_typed_json_for_any_structure() throws SQLException {
        for (String structure : documents.keySet()) {
            Map<String, String> columns = new TreeMap<>();
            try (Statement statement = duckdb.createStatement();
                 ResultSet rows = statement.executeQuery("DESCRIBE SELECT * FROM " + table(structure))) {
                while (rows.next()) {
                    columns.put(rows.getString("column_name"), rows.getString("column_type"));
                }
            }
            assertThat(columns).as(structure).containsKeys("meta", "msh", "day");
            Map<String, String> json = columns.entrySet().stream().filter(e -> JSON_TYPE.matcher(e.getValue()).find())
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            assertThat(json).as(structure + ": columns typed JSON somewhere in their nested type").isEmpty();
        }
    }

    /** README: the AWS blog's query, over every structure that has a PID, wherever v2.5 puts it. */
    static final Map<String, String> PATIENT_NAME = Map.of(
            "ADT_A01", "pid",
            "ORU_R01", "patient_result[1].patient.pid",
            "ORM_O01", "patient.pid",
            "SIU_S12", "patient[1].pid");

    @Test
    void the_blogs_query_returns_control_id_given_name_and_surname_for_every_structure() throws SQLException {
        for (String structure : GENERATED) {
            String pid = PATIENT_NAME.get(structure);
            List<List<String>> rows = query("SELECT msh.message_control_id, " + pid + ".patient_name[1].given_name, "
                    + pid + ".patient_name[1].family_name.surname FROM " + table(structure));
            assertThat(rows).as(structure + ": one row per document").hasSize(documents.get(structure).size());
            List<List<String>> generated = rows.stream().filter(row -> row.get(0).startsWith("G")).sorted(ROWS).toList();
            List<List<String>> expected = corpus.get(structure).stream()
                    .map(m -> row(m.controlId(), m.given(), m.surname())).sorted(ROWS).toList();
            assertThat(generated).as(structure).isEqualTo(expected);
        }
    }

    @Test
    void numeric_results_of_one_loinc_code_with_units_are_numbers() throws SQLException {
        List<List<String>> rows = query("""
                SELECT msh.message_control_id, o.obx.observation_value_typed.number, o.obx.units.identifier
                FROM (SELECT msh, unnest(oo.observation) AS o
                      FROM (SELECT msh, unnest(pr.order_observation) AS oo
                            FROM (SELECT msh, unnest(patient_result) AS pr FROM %s)))
                WHERE o.obx.observation_identifier.identifier = '%s'
                  AND o.obx.observation_value_typed.number IS NOT NULL
                """.formatted(table("ORU_R01"), StagingCorpus.LOINC));
        List<List<String>> expected = corpus.get("ORU_R01").stream().flatMap(m -> m.glucose().stream())
                .map(n -> row(n.controlId(), Double.toString(n.value()), n.unit())).sorted(ROWS).toList();
        assertThat(expected).hasSizeGreaterThan(30);
        assertThat(rows.stream().filter(row -> row.get(0).startsWith("G")).sorted(ROWS).toList()).isEqualTo(expected);
    }

    @Test
    void patients_per_sending_facility_per_day() throws SQLException {
        String union = GENERATED.stream().map(s -> "SELECT meta.sending_facility AS facility, CAST(day AS VARCHAR) AS day,"
                + " meta.patient_ids[1] AS patient FROM " + table(s)).collect(Collectors.joining(" UNION ALL "));
        List<List<String>> rows = query("SELECT facility, day, count(DISTINCT patient) FROM (" + union + ")"
                + " WHERE day <> '" + OTHER_DAY + "' GROUP BY facility, day");
        Map<List<String>, Set<String>> patients = new HashMap<>();
        corpus.values().forEach(messages -> messages.forEach(m -> {
            Set<String> set = patients.computeIfAbsent(List.of(m.facility(), m.day()), k -> new TreeSet<>());
            if (!m.patientIds().isEmpty()) {
                set.add(m.patientIds().get(0));
            }
        }));
        List<List<String>> expected = patients.entrySet().stream()
                .map(e -> row(e.getKey().get(0), e.getKey().get(1), Integer.toString(e.getValue().size())))
                .sorted(ROWS).toList();
        assertThat(expected).hasSize(4 * StagingCorpus.DAYS.length);
        assertThat(rows.stream().sorted(ROWS).toList()).isEqualTo(expected);
    }

    @Test
    void every_message_of_one_patient_by_identifier() throws SQLException {
        Map<String, Long> byId = corpus.values().stream().flatMap(List::stream).flatMap(m -> m.patientIds().stream())
                .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
        String id = byId.entrySet().stream().filter(e -> e.getKey().startsWith("AUTH"))
                .max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        String union = GENERATED.stream().map(s -> "SELECT meta.structure, msh.message_control_id FROM " + table(s)
                + " WHERE list_contains(meta.patient_ids, '" + id + "')").collect(Collectors.joining(" UNION ALL "));
        List<List<String>> expected = corpus.values().stream().flatMap(List::stream)
                .filter(m -> m.patientIds().contains(id)).map(m -> row(m.structure(), m.controlId())).sorted(ROWS).toList();
        assertThat(expected).hasSizeGreaterThan(2);
        assertThat(query(union).stream().sorted(ROWS).toList()).isEqualTo(expected);
    }

    @Test
    void rows_of_one_z_segment_wherever_it_was_sent() throws SQLException {
        for (String structure : GENERATED) {
            List<List<String>> rows = query("SELECT msh.message_control_id, z.fields.\"1\", z.fields.\"2.1\""
                    + " FROM (SELECT msh, unnest(z_segments) AS z FROM " + table(structure) + ") WHERE z.segment = 'ZPI'");
            List<List<String>> expected = corpus.get(structure).stream().flatMap(m -> m.zpi().stream())
                    .map(z -> row(z.controlId(), z.field1(), z.field2())).sorted(ROWS).toList();
            assertThat(expected).as(structure).hasSizeGreaterThan(20);
            assertThat(rows.stream().filter(row -> row.get(0).startsWith("G")).sorted(ROWS).toList())
                    .as(structure).isEqualTo(expected);
        }
    }

    private static final java.util.Comparator<List<String>> ROWS = (a, b) -> String.join("\u0000", a.stream()
            .map(String::valueOf).toList()).compareTo(String.join("\u0000", b.stream().map(String::valueOf).toList()));

    private static List<String> row(String... values) {
        return java.util.Arrays.asList(values);
    }

    private static List<List<String>> query(String sql) throws SQLException {
        return DuckDbRows.of(duckdb, sql);
    }
}
