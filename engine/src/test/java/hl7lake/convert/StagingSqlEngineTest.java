package hl7lake.convert;

import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.TestFiles;
import hl7lake.config.AwsClients;
import hl7lake.ingest.Inbound;
import hl7lake.ingest.Ingestion;
import hl7lake.ingest.Outcome;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The running engine (local mode) ingests generated messages of four structures and the samples;
 * its staging objects, fetched from its S3 with the AWS SDK into the same key layout, are read by
 * DuckDB: no column typed JSON per structure, and the blog's query finds every generated message's
 * control id and name.
 */
class StagingSqlEngineTest {

    private static final int PER_STRUCTURE = 60;
    private static final Pattern JSON_TYPE = Pattern.compile("(?<![\\w\"])JSON(?![\\w\"])");

    @TempDir
    Path download;

    @Test
    void duckdb_reads_what_the_engine_wrote_to_its_staging_zone_with_one_schema_per_structure() throws Exception {
        Map<String, List<StagingCorpus.Generated>> corpus = new TreeMap<>();
        Map<String, Integer> ingested = new HashMap<>();
        try (Engine engine = Engine.start(TestEngines.local(Map.of()));
             S3Client s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1")) {
            ProducerTemplate template = engine.camel().createProducerTemplate();
            StagingCorpus generator = new StagingCorpus(7L);
            for (String structure : StagingSqlTest.PATIENT_NAME.keySet()) {
                corpus.put(structure, generator.generate(structure, PER_STRUCTURE));
                for (StagingCorpus.Generated message : corpus.get(structure)) {
                    ingest(template, message.er7().getBytes(StandardCharsets.UTF_8), ingested);
                }
            }
            for (Path file : TestFiles.acceptedSamples()) {
                for (byte[] message : Conversions.messages(TestFiles.read(file))) {
                    ingest(template, message, ingested);
                }
            }
            Map<String, Integer> fetched = new HashMap<>();
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket("hl7lake").prefix("staging/hl7v2/")).contents()) {
                Path target = download.resolve(object.key());
                Files.createDirectories(target.getParent());
                Files.write(target, s3.getObjectAsBytes(b -> b.bucket("hl7lake").key(object.key())).asByteArray());
                fetched.merge(object.key().split("/")[2], 1, Integer::sum);
            }
            assertThat(fetched).isEqualTo(ingested);
        }
        try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = duckdb.createStatement()) {
            statement.execute("SET memory_limit = '1GB'");
            statement.execute("SET preserve_insertion_order = false");
            for (String structure : ingested.keySet()) {
                String table = "read_json_auto('" + download.resolve("staging/hl7v2").resolve(structure)
                        + "/*/*.json', union_by_name = true, hive_partitioning = true)";
                List<String> json = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery("DESCRIBE SELECT * FROM " + table)) {
                    while (rows.next()) {
                        if (JSON_TYPE.matcher(rows.getString("column_type")).find()) {
                            json.add(rows.getString("column_name") + " " + rows.getString("column_type"));
                        }
                    }
                }
                assertThat(json).as(structure + ": columns typed JSON").isEmpty();
                String pid = StagingSqlTest.PATIENT_NAME.get(structure);
                if (pid == null) {
                    continue;
                }
                Map<String, String> names = new HashMap<>();
                try (ResultSet rows = statement.executeQuery("SELECT msh.message_control_id, " + pid
                        + ".patient_name[1].family_name.surname FROM " + table)) {
                    while (rows.next()) {
                        names.put(rows.getString(1), rows.getString(2));
                    }
                }
                for (StagingCorpus.Generated message : corpus.get(structure)) {
                    assertThat(names).as(structure).containsKey(message.controlId());
                    assertThat(names.get(message.controlId())).as(message.controlId()).isEqualTo(message.surname());
                }
            }
        }
    }

    private static void ingest(ProducerTemplate template, byte[] bytes, Map<String, Integer> ingested) {
        Ingestion done = template.requestBody("direct:ingest", Inbound.of(bytes, "test", Instant.now()), Ingestion.class);
        assertThat(done.outcome()).isEqualTo(Outcome.ACCEPTED);
        ingested.merge(done.stagingKey().split("/")[2], 1, Integer::sum);
    }
}
