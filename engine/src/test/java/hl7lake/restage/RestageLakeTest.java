package hl7lake.restage;

import com.fasterxml.jackson.databind.ObjectMapper;
import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.cli.RestageCommand;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.json.DocumentMeta;
import hl7lake.lake.LakeKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lake of 10,000 messages ingested by the running engine (every accepted sample, made unique),
 * whose staging zone is then put back to what an older hl7lake wrote (old shape, old keys, catalog
 * naming them); `restage` through the command, on the local lake of the running engine, makes every
 * staging object byte for byte what ingest wrote, at today's key, with its tag and metadata; the
 * old objects are gone, the catalog has the same items; a second run changes nothing.
 */
class RestageLakeTest {

    private static final int MESSAGES = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Engine engine;
    private static S3Client s3;
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void start() throws Exception {
        engine = Engine.start(TestEngines.local(Map.of("hl7lake.mllp.enabled", "false", "hl7lake.inbox.enabled", "false")));
        s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1");
        dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1");
    }

    @AfterAll
    static void stop() {
        s3.close();
        dynamo.close();
        engine.close();
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS) // ~70 s on 2 idle cores; far more when they are shared
    void ten_thousand_old_shape_documents_are_restaged_to_what_ingest_writes_and_a_second_run_changes_nothing()
            throws Exception {
        List<byte[]> samples = Lakes.sampleMessages();
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            messages.add(Lakes.unique(samples.get(i % samples.size()), "R" + i));
        }
        long t0 = System.nanoTime();
        List<String> ids = Lakes.ingest(engine.camel().createProducerTemplate(), messages, 16);
        phase("ingested", t0);

        // what ingest wrote: key and content of every staging object
        Map<String, Map<String, AttributeValue>> cataloged = Lakes.catalog(dynamo);
        assertThat(cataloged).hasSize(MESSAGES).containsOnlyKeys(ids);
        long errors = Lakes.errors(dynamo);
        Map<String, String> ingestKey = new HashMap<>();
        Map<String, String> ingestSha = new HashMap<>();
        Set<String> structures = new HashSet<>();
        parallel(cataloged.values(), item -> {
            String id = item.get("message_id").s();
            String key = LakeKeys.staging(item.get("structure").s(), id);
            assertThat(item.get("staging_key").s()).isEqualTo(key);
            byte[] document = Lakes.get(s3, key).asByteArray();
            synchronized (ingestSha) {
                ingestKey.put(id, key);
                ingestSha.put(id, Lakes.sha256(document));
                structures.add(item.get("structure").s());
            }
            Lakes.age(s3, dynamo, item, document);
        });
        assertThat(structures).contains("ADT_A01", "ORU_R01", "ORM_O01", "SIU_S12", "MDM_T02", "VXU_V04");
        Set<String> oldKeys = new HashSet<>(Lakes.keys(s3, "staging/"));
        assertThat(oldKeys).hasSize(MESSAGES);
        phase("aged", t0);

        ByteArrayOutputStream first = new ByteArrayOutputStream();
        String day = Lakes.dayOf(ids.get(0)).toString();
        String lastDay = Lakes.dayOf(ids.get(ids.size() - 1)).toString(); // a run across midnight
        assertThat(restage(first, "--from", day, "--to", lastDay)).as(first.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(first.toString(StandardCharsets.UTF_8))
                .contains("restage: done: 10,000 messages read: 10,000 rewritten", "0 no longer convert, 0 failed");

        phase("restaged", t0);
        // every staging object: today's key, what ingest wrote byte for byte, its lineage; no other object
        assertThat(Lakes.keys(s3, "staging/")).containsExactlyInAnyOrderElementsOf(ingestKey.values());
        Map<String, Map<String, AttributeValue>> after = Lakes.catalog(dynamo);
        assertThat(after).hasSize(MESSAGES);
        assertThat(Lakes.errors(dynamo)).isEqualTo(errors);
        parallel(after.values(), item -> {
            String id = item.get("message_id").s();
            assertThat(item.get("staging_key").s()).isEqualTo(ingestKey.get(id));
            assertThat(item).containsEntry("sha256", cataloged.get(id).get("sha256"))
                    .containsEntry("raw_key", cataloged.get(id).get("raw_key"));
            ResponseBytes<GetObjectResponse> object = Lakes.get(s3, ingestKey.get(id));
            assertThat(Lakes.sha256(object.asByteArray())).as(id).isEqualTo(ingestSha.get(id));
            assertThat(JSON.readTree(object.asByteArray()).at("/meta/schema_version").asInt())
                    .isEqualTo(DocumentMeta.SCHEMA_VERSION);
            assertThat(object.response().contentType()).isEqualTo("application/json");
            assertThat(object.response().metadata()).containsEntry("data_src", item.get("raw_key").s());
            if (id.hashCode() % 20 == 0) {
                assertThat(s3.getObjectTagging(b -> b.bucket(Lakes.BUCKET).key(ingestKey.get(id))).tagSet())
                        .singleElement().satisfies(tag -> {
                            assertThat(tag.key()).isEqualTo("data_src");
                            assertThat(tag.value()).isEqualTo(item.get("raw_key").s());
                        });
            }
        });

        phase("checked", t0);
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        assertThat(restage(second, "--from", day, "--to", lastDay)).isZero();
        assertThat(second.toString(StandardCharsets.UTF_8))
                .contains("restage: done: 10,000 messages read: 0 rewritten (0 moved from an older key), 10,000 already current");
        phase("restaged again", t0);
    }

    /** How long the test took to get here (on stderr: the test's budget on 2 cores is well under 2 minutes). */
    private static void phase(String what, long t0) {
        System.err.printf("RestageLakeTest: %s after %.1f s%n", what, (System.nanoTime() - t0) / 1e9);
    }

    /** The command as a user runs it in local mode while the engine runs: the engine's lake on its ports. */
    private static int restage(ByteArrayOutputStream err, String... args) throws Exception {
        EngineSettings settings = TestEngines.local(Map.of(
                "hl7lake.local.s3-port", Integer.toString(engine.local().s3Endpoint().getPort()),
                "hl7lake.local.dynamodb-port", Integer.toString(engine.local().dynamoEndpoint().getPort())));
        List<String> all = new ArrayList<>(List.of("--mode", "local"));
        all.addAll(List.of(args));
        OutputStream both = new OutputStream() { // kept for the assertions, and shown as the run goes
            @Override
            public void write(int b) {
                err.write(b);
                System.err.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                err.write(b, off, len);
                System.err.write(b, off, len);
            }
        };
        try (PrintStream stream = new PrintStream(both, true, StandardCharsets.UTF_8)) {
            return RestageCommand.run(all.toArray(String[]::new), settings, stream);
        }
    }

    interface Check {
        void accept(Map<String, AttributeValue> item) throws Exception;
    }

    private static void parallel(Iterable<Map<String, AttributeValue>> items, Check check) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (Map<String, AttributeValue> item : items) {
                all.add(pool.submit(() -> {
                    check.accept(item);
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
