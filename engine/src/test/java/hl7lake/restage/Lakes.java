package hl7lake.restage;

import hl7lake.TestFiles;
import hl7lake.catalog.CatalogTables;
import hl7lake.cli.OldShape;
import hl7lake.hl7.Er7StreamSplitter;
import hl7lake.ingest.Inbound;
import hl7lake.ingest.Ingestion;
import hl7lake.ingest.Outcome;
import hl7lake.lake.LakeWriter;
import org.apache.camel.ProducerTemplate;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** What the restage tests do to a lake over its endpoints: ingest, read back, age the staging zone. */
final class Lakes {

    static final String BUCKET = "hl7lake";
    static final CatalogTables TABLES = new CatalogTables("hl7lake-");

    private Lakes() {
    }

    /** Every message of our accepted samples (batches split), each as the pipeline receives it. */
    static List<byte[]> sampleMessages() {
        List<byte[]> messages = new ArrayList<>();
        for (Path file : TestFiles.acceptedSamples()) {
            new Er7StreamSplitter(new ByteArrayInputStream(TestFiles.read(file)), 10 << 20)
                    .forEachRemaining(m -> messages.add(m.bytes()));
        }
        return messages;
    }

    /** {@code message} with MSH-10 made unique by {@code suffix}, every other byte as it was. */
    static byte[] unique(byte[] message, String suffix) {
        String text = new String(message, StandardCharsets.ISO_8859_1); // one char per byte, both ways
        int msh = text.indexOf("MSH");
        char separator = text.charAt(msh + 3);
        int at = msh + 3;
        for (int field = 2; field <= 10; field++) {
            at = text.indexOf(separator, at + 1);
        }
        return (text.substring(0, at) + "-" + suffix + text.substring(at)).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Sends every message through direct:ingest on {@code threads} threads; each must be accepted. */
    static List<String> ingest(ProducerTemplate pipeline, List<byte[]> messages, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Ingestion>> sent = new ArrayList<>();
            for (byte[] bytes : messages) {
                sent.add(pool.submit(() -> pipeline.requestBody("direct:ingest", Inbound.of(bytes, "mllp", Instant.now()),
                        Ingestion.class)));
            }
            List<String> ids = new ArrayList<>();
            for (Future<Ingestion> f : sent) {
                Ingestion ingestion = f.get();
                assertThat(ingestion.outcome()).isEqualTo(Outcome.ACCEPTED);
                assertThat(ingestion.duplicate()).isFalse();
                ids.add(ingestion.messageId());
            }
            return ids;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The messages table: message id → item (every attribute). */
    static Map<String, Map<String, AttributeValue>> catalog(DynamoDbClient dynamo) {
        Map<String, Map<String, AttributeValue>> items = new HashMap<>();
        dynamo.scanPaginator(b -> b.tableName(TABLES.messages())).items().forEach(i -> items.put(i.get("message_id").s(), i));
        return items;
    }

    static long errors(DynamoDbClient dynamo) {
        return dynamo.scanPaginator(b -> b.tableName(TABLES.errors()).select("COUNT")).stream().mapToLong(p -> p.count()).sum();
    }

    static List<String> keys(S3Client s3, String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }

    static ResponseBytes<GetObjectResponse> get(S3Client s3, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key));
    }

    /**
     * What a lake written by an older hl7lake holds for this message: the document in the old shape
     * ({@link OldShape}) under the key layout of schema version 1 ({@code date=} partitions), tagged
     * as LakeWriter tags, and the catalog item naming that key. Today's object goes when its key differs.
     */
    static void age(S3Client s3, DynamoDbClient dynamo, Map<String, AttributeValue> item) {
        age(s3, dynamo, item, get(s3, item.get("staging_key").s()).asByteArray());
    }

    /** As above, with the staging object's bytes already read. */
    static void age(S3Client s3, DynamoDbClient dynamo, Map<String, AttributeValue> item, byte[] document) {
        String id = item.get("message_id").s();
        String today = item.get("staging_key").s();
        String old = oldKey(item.get("structure").s(), id);
        new LakeWriter(s3, BUCKET).staging(old, OldShape.document(document), item.get("raw_key").s());
        if (!old.equals(today)) {
            s3.deleteObject(b -> b.bucket(BUCKET).key(today));
            dynamo.updateItem(b -> b.tableName(TABLES.messages()).key(Map.of("message_id", item.get("message_id")))
                    .updateExpression("SET staging_key = :k").expressionAttributeValues(Map.of(":k", AttributeValue.fromS(old))));
        }
    }

    /** The key schema version 1 gave a staging document. */
    static String oldKey(String structure, String messageId) {
        return "staging/hl7v2/" + structure + "/date=" + dayOf(messageId) + "/" + messageId + ".json";
    }

    static LocalDate dayOf(String uuidV7) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(UUID.fromString(uuidV7).getMostSignificantBits() >>> 16), ZoneOffset.UTC);
    }

    static String sha256(byte[] bytes) {
        return hl7lake.convert.MessageConverter.sha256(bytes);
    }
}
