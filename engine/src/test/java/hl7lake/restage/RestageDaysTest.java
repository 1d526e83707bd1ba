package hl7lake.restage;

import hl7lake.Engine;
import hl7lake.TestEngines;
import hl7lake.TestFiles;
import hl7lake.catalog.MessageIndex;
import hl7lake.catalog.MessageRecord;
import hl7lake.cli.OldShape;
import hl7lake.cli.RestageCommand;
import hl7lake.config.AwsClients;
import hl7lake.config.EngineSettings;
import hl7lake.convert.Conversion;
import hl7lake.convert.MessageConverter;
import hl7lake.convert.Receipt;
import hl7lake.hl7.Hl7Parser;
import hl7lake.hl7.MessageMetadata;
import hl7lake.hl7.ValidationProfile;
import hl7lake.lake.LakeKeys;
import hl7lake.lake.LakeWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Day bounds and --structure: messages an older hl7lake left on three past days (ids of those days,
 * the first and last millisecond of each among them, old shape at old keys), next to today's from
 * the running engine (through the pipeline and a drop file); each restage touches exactly the
 * messages of its days and structure. A message today's profile rejects is named and left as it was.
 */
class RestageDaysTest {

    private static final LocalDate[] DAYS = {LocalDate.parse("2026-11-01"), LocalDate.parse("2026-11-02"),
            LocalDate.parse("2026-11-03")};
    private static Engine engine;
    private static S3Client s3;
    private static DynamoDbClient dynamo;
    private static LakeWriter lake;
    private static final MessageConverter CONVERTER = new MessageConverter(new Hl7Parser(), ValidationProfile.STANDARD,
            java.nio.charset.Charset.forName("windows-1252"));

    @BeforeAll
    static void start() throws Exception {
        engine = Engine.start(TestEngines.local(Map.of("hl7lake.mllp.enabled", "false", "hl7lake.inbox.poll-millis", "100")));
        s3 = AwsClients.s3(engine.local().s3Endpoint(), "us-east-1");
        dynamo = AwsClients.dynamo(engine.local().dynamoEndpoint(), "us-east-1");
        lake = new LakeWriter(s3, Lakes.BUCKET);
    }

    @AfterAll
    static void stop() {
        s3.close();
        dynamo.close();
        engine.close();
    }

    /** A message as an older hl7lake stored it on {@code at}: raw object, old-shape staging at the old key, catalog item. */
    private static Old olderLake(Instant at, byte[] bytes) {
        long millis = at.toEpochMilli();
        String id = new UUID((millis << 16) | 0x7000L | (bytes.length & 0x0FFF), 0x8000000000000000L | Math.abs(
                (long) java.util.Arrays.hashCode(bytes))).toString();
        String rawKey = LakeKeys.raw(id);
        lake.raw(rawKey, bytes);
        Conversion.Accepted today = (Conversion.Accepted) CONVERTER.convert(bytes, new Receipt(id, "mllp", at, lake.uri(rawKey)));
        MessageMetadata m = today.metadata();
        String oldKey = Lakes.oldKey(m.structure(), id);
        byte[] old = OldShape.document(today.document());
        lake.staging(oldKey, old, rawKey);
        new MessageIndex(dynamo, Lakes.TABLES).record(new MessageRecord(id, m.controlId(), m.sendingApplication(),
                m.sendingFacility(), m.receivingApplication(), m.receivingFacility(), m.structure(), m.messageType(),
                m.triggerEvent(), m.version(), m.messageTime(), at, "mllp", rawKey, null, null, oldKey, null, List.of(),
                today.sha256(), m.charset(), today.warningCount(), false));
        return new Old(id, m.structure(), oldKey, old, today.document());
    }

    record Old(String id, String structure, String oldKey, byte[] oldDocument, byte[] todayDocument) {
    }

    @Test
    void each_run_restages_exactly_its_days_and_structure() throws Exception {
        byte[] adt = TestFiles.read(TestFiles.SAMPLES.resolve("adt-a01-v2.5-zsegment-escapes.hl7"));
        byte[] oru = TestFiles.read(TestFiles.SAMPLES.resolve("oru-r01-v2.5-many-obx.hl7"));
        List<Old> old = new ArrayList<>();
        int n = 0;
        for (LocalDate day : DAYS) {
            Instant first = day.atStartOfDay().toInstant(ZoneOffset.UTC);
            for (Instant at : List.of(first, first.plus(Duration.ofHours(12)), first.plus(Duration.ofDays(1)).minusMillis(1))) {
                old.add(olderLake(at, Lakes.unique(adt, "D" + n++)));
                old.add(olderLake(at, Lakes.unique(oru, "D" + n++)));
            }
        }
        Map<String, byte[]> todays = todaysLake();

        // one day, one structure: the three ORU_R01 of 2026-11-02, its first and last millisecond included
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(restage(out, "--from", "2026-11-02", "--to", "2026-11-02", "--structure", "oru_r01")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("done: 3 messages read: 3 rewritten");
        for (Old o : old) {
            boolean chosen = Lakes.dayOf(o.id()).equals(DAYS[1]) && o.structure().equals("ORU_R01");
            assertRestaged(o, chosen);
        }

        // three days, every structure: the other 15 rewritten, the 3 already current; today's untouched
        out.reset();
        assertThat(restage(out, "--from", "2026-11-01", "--to", "2026-11-03")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("done: 18 messages read: 15 rewritten", "3 already current");
        old.forEach(o -> assertRestaged(o, true));
        todays.forEach((key, bytes) -> assertThat(Lakes.get(s3, key).asByteArray()).isEqualTo(bytes));
        assertThat(Lakes.catalog(dynamo)).hasSize(old.size() + todays.size());
    }

    @Test
    void a_message_todays_profile_rejects_is_named_and_left_as_it_was() throws Exception {
        Map<String, byte[]> todays = todaysLake();
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EngineSettings strict = settings(Map.of("hl7lake.validation.profile", "strict"));
        int status;
        try (PrintStream err = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            status = RestageCommand.run(new String[] {"--from", today, "--to", LocalDate.now(ZoneOffset.UTC).plusDays(1).toString(),
                    "--mode", "local"}, strict, err);
        }
        String log = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(log).isEqualTo(1);
        List<String> refused = Lakes.catalog(dynamo).values().stream()
                .filter(i -> !Lakes.dayOf(i.get("message_id").s()).isBefore(LocalDate.now(ZoneOffset.UTC).minusDays(1)))
                .filter(i -> i.get("warning_count") != null && !i.get("warning_count").n().equals("0"))
                .map(i -> i.get("message_id").s()).toList();
        assertThat(refused).isNotEmpty();
        for (String id : refused) {
            assertThat(log).contains("message " + id + " no longer converts (102 at ");
        }
        assertThat(log).containsPattern(" " + refused.size() + " no longer convert, 0 failed");
        // left as it was: the staging objects are what was there before the run, byte for byte
        todays.forEach((key, bytes) -> assertThat(Lakes.get(s3, key).asByteArray()).isEqualTo(bytes));
        assertThat(log).doesNotContain("TESTPATIENT", "MRN-");
    }

    /**
     * Today's messages through the running engine (the pipeline, and a drop file whose messages are
     * slices of its archive), their staging objects then aged and restaged: each is again what ingest
     * wrote. Returns every staging object of the lake by key with its bytes.
     */
    private static Map<String, byte[]> todaysLake() throws Exception {
        List<byte[]> samples = Lakes.sampleMessages();
        List<byte[]> messages = new ArrayList<>();
        String run = UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < samples.size(); i++) {
            messages.add(Lakes.unique(samples.get(i), run + "P" + i));
        }
        Lakes.ingest(engine.camel().createProducerTemplate(), messages, 4);
        StringBuilder file = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            file.append(new String(Lakes.unique(samples.get(i % 3), run + "F" + i), StandardCharsets.ISO_8859_1)).append('\n');
        }
        int before = Lakes.catalog(dynamo).size();
        s3.putObject(b -> b.bucket(Lakes.BUCKET).key("raw/inbox/" + run + ".hl7"),
                RequestBody.fromBytes(file.toString().getBytes(StandardCharsets.ISO_8859_1)));
        await().atMost(Duration.ofSeconds(60)).until(() -> Lakes.keys(s3, "raw/inbox/").isEmpty()
                && Lakes.catalog(dynamo).size() == before + 20);
        Map<String, Map<String, AttributeValue>> mine = new HashMap<>();
        Lakes.catalog(dynamo).forEach((id, item) -> {
            if (!Lakes.dayOf(id).isBefore(LocalDate.now(ZoneOffset.UTC).minusDays(1))) {
                mine.put(id, item);
            }
        });
        Map<String, byte[]> ingested = new HashMap<>();
        mine.values().forEach(item -> ingested.put(item.get("message_id").s(), Lakes.get(s3, item.get("staging_key").s()).asByteArray()));
        assertThat(mine.values()).anySatisfy(item -> assertThat(item).containsKey("raw_offset"));
        mine.values().forEach(item -> Lakes.age(s3, dynamo, item));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(restage(out, "--from", LocalDate.now(ZoneOffset.UTC).minusDays(1).toString(), "--to",
                LocalDate.now(ZoneOffset.UTC).plusDays(1).toString())).as(out.toString(StandardCharsets.UTF_8)).isZero();
        Map<String, byte[]> staged = new HashMap<>();
        Lakes.catalog(dynamo).forEach((id, item) -> {
            if (ingested.containsKey(id)) {
                byte[] now = Lakes.get(s3, item.get("staging_key").s()).asByteArray();
                assertThat(now).as(id).isEqualTo(ingested.get(id));
                assertThat(item.get("staging_key").s()).isEqualTo(LakeKeys.staging(item.get("structure").s(), id));
                staged.put(item.get("staging_key").s(), now);
            }
        });
        return staged;
    }

    private static void assertRestaged(Old o, boolean restaged) {
        String key = LakeKeys.staging(o.structure(), o.id());
        Map<String, AttributeValue> item = new MessageIndex(dynamo, Lakes.TABLES).message(o.id()).orElseThrow();
        if (restaged) {
            assertThat(Lakes.get(s3, key).asByteArray()).as(o.id()).isEqualTo(o.todayDocument());
            assertThat(item.get("staging_key").s()).isEqualTo(key);
            if (!key.equals(o.oldKey())) {
                assertThat(Lakes.keys(s3, o.oldKey())).isEmpty();
            }
        } else {
            assertThat(Lakes.get(s3, o.oldKey()).asByteArray()).as(o.id()).isEqualTo(o.oldDocument());
            assertThat(item.get("staging_key").s()).isEqualTo(o.oldKey());
        }
    }

    private static int restage(ByteArrayOutputStream out, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--mode", "local", "--threads", "3"));
        try (PrintStream err = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            return RestageCommand.run(all.toArray(String[]::new), settings(Map.of()), err);
        }
    }

    private static EngineSettings settings(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(extra);
        settings.put("hl7lake.local.s3-port", Integer.toString(engine.local().s3Endpoint().getPort()));
        settings.put("hl7lake.local.dynamodb-port", Integer.toString(engine.local().dynamoEndpoint().getPort()));
        return TestEngines.local(settings);
    }
}
