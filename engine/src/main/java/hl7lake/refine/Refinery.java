package hl7lake.refine;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hl7lake.catalog.CatalogTables;
import hl7lake.lake.LakeKeys;
import hl7lake.lake.MessageIds;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Compacts one day of the staging zone into the refined zone's tables. The day's staging objects
 * (every structure's {@code day=} partition) are read through the SDK on {@code threads} threads and
 * flattened ({@link Flattener}) into newline-delimited JSON files under a temp directory; the
 * patients of the day get the identifiers the catalog's cross-reference links to them; DuckDB reads
 * those files with each table's declared columns and writes one Parquet file per table (ZSTD), which
 * is uploaded under a fresh run id; then each table's manifest is switched to the new file, and files
 * of older runs no longer named by a manifest are deleted once older than {@code keep}. Readers that
 * go through the manifest see the old run's file or the new one, never a mix; a run that stops
 * anywhere leaves the previous run current (docs/decisions.md, "The refined zone").
 */
public final class Refinery {

    /** How a run is tuned: worker threads, DuckDB's memory, how long files of replaced runs are kept, the temp directory. */
    public record Settings(int threads, String duckdbMemory, Duration keep, Path tempDir) {
        public Settings {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1");
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STAGING = "staging/hl7v2/";
    /** The reused documents' keys and messages, for DuckDB (a run's intermediate file, not a table of the zone). */
    private static final RefinedTables.Table REUSED = new RefinedTables.Table("reused", List.of(
            new RefinedTables.Column("staging_key", "VARCHAR", "string"), new RefinedTables.Column("message_id", "VARCHAR", "string")), "staging_key");

    private final S3Client s3;
    private final DynamoDbClient dynamo;
    private final CatalogTables tables;
    private final String bucket;
    private final Settings settings;
    private final Clock clock;

    public Refinery(S3Client s3, DynamoDbClient dynamo, CatalogTables tables, String bucket, Settings settings, Clock clock) {
        this.s3 = s3;
        this.dynamo = dynamo;
        this.tables = tables;
        this.bucket = bucket;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Compacts {@code day}; progress (counts, no content) to {@code progress} every {@code every}.
     * Unless {@code full}, the rows of documents the day's current run read at the same key and ETag
     * are taken from its files instead of reading the documents again ({@link PreviousRun}).
     */
    public RefineResult refine(LocalDate day, PrintStream progress, Duration every, boolean full) throws IOException, InterruptedException {
        long started = System.nanoTime();
        String runId = MessageIds.next();
        Path work = WorkDirectories.create(settings.tempDir());
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("refine-progress"));
        // the catalog look-ups of the day's patients run while the documents are read (each asked when its uuid is first seen)
        ExecutorService lookups = Executors.newFixedThreadPool(settings.threads(), daemon("refine-patients"));
        AtomicLong listed = new AtomicLong();
        AtomicLong read = new AtomicLong();
        AtomicLong vanished = new AtomicLong();
        Map<String, String> reused = new LinkedHashMap<>(); // staging key -> message id, rows taken from the previous run
        try {
            PreviousRun previous = full ? null : PreviousRun.find(s3, bucket, day, work, progress);
            ticker.scheduleAtFixedRate(() -> {
                int unchanged;
                synchronized (reused) {
                    unchanged = reused.size();
                }
                progress.printf(Locale.ROOT, "refine: %s: %,d staging documents listed: %,d read, %,d unchanged since the previous run%n",
                        day, listed.get(), read.get(), unchanged);
            }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
            RowCounts counts = new RowCounts();
            Map<String, PatientDay> patients = new ConcurrentHashMap<>();
            long stagingBytes = readAndFlatten(day, work, counts, patients, lookups, listed, read, vanished, progress, previous, reused);
            if (listed.get() == 0 && !s3.listObjectsV2(b -> b.bucket(bucket).prefix(RefinedKeys.manifest(RefinedTables.MESSAGES.name(), day))
                    .maxKeys(1)).hasContents()) {
                return new RefineResult(day, null, 0, 0, Map.of(), 0, 0, seconds(started), 0);
            }
            progress.printf(Locale.ROOT, "refine: %s: %,d documents read and flattened, %,d unchanged since the previous run, in %.1f s; "
                            + "%,d patients%n", day, read.get(), reused.size(), seconds(started), patients.values().stream().filter(p -> p.messages > 0).count());
            long phase = System.nanoTime();
            patients(patients, work, counts);
            progress.printf(Locale.ROOT, "refine: %s: patients and conflicts in %.1f s%n", day, seconds(phase));
            phase = System.nanoTime();
            Map<String, Long> rows = new LinkedHashMap<>();
            Map<RefinedTables.Table, Path> parquet = parquet(work, counts, previous, reused, rows);
            progress.printf(Locale.ROOT, "refine: %s: Parquet files written in %.1f s; uploading run %s%n", day, seconds(phase), runId);
            phase = System.nanoTime();
            long refinedBytes = 0;
            for (Map.Entry<RefinedTables.Table, Path> file : parquet.entrySet()) {
                refinedBytes += Files.size(file.getValue());
                String key = RefinedKeys.file(file.getKey().name(), day, runId);
                s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/vnd.apache.parquet")
                        .serverSideEncryption(ServerSideEncryption.AES256), RequestBody.fromFile(file.getValue()));
            }
            // the switch: each table's manifest names the new file; the sources' last (a run reuses one only when all name it)
            for (RefinedTables.Table table : RefinedTables.FILES) {
                String manifest = RefinedKeys.manifestText(bucket, table.name(), day, runId);
                s3.putObject(b -> b.bucket(bucket).key(RefinedKeys.manifest(table.name(), day)).contentType("text/plain")
                        .serverSideEncryption(ServerSideEncryption.AES256), RequestBody.fromString(manifest, StandardCharsets.UTF_8));
            }
            progress.printf(Locale.ROOT, "refine: %s: uploaded and switched in %.1f s%n", day, seconds(phase));
            int removed = removeReplaced(day, runId);
            return new RefineResult(day, runId, listed.get() - vanished.get(), stagingBytes, rows, refinedBytes,
                    removed, seconds(started), reused.size());
        } finally {
            ticker.shutdownNow();
            lookups.shutdownNow();
            WorkDirectories.delete(work);
        }
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    /**
     * Lists the day's staging objects (every structure: the structures are the prefixes under
     * staging/hl7v2/) and reads each as soon as its page of the listing arrives, so the reads do not
     * wait for the whole listing (a page of 1,000 keys is one round trip); a document the previous run
     * read at the same key and ETag is not read but put in {@code reused}, unless its message is also
     * at another key that is read (a restage that moved it): then it is read too, so no message has
     * rows from both. Returns the bytes listed.
     */
    private long readAndFlatten(LocalDate day, Path work, RowCounts counts, Map<String, PatientDay> patients, ExecutorService lookups,
                                AtomicLong listed, AtomicLong read, AtomicLong vanished, PrintStream progress, PreviousRun previous,
                                Map<String, String> reused)
            throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(settings.threads(), daemon("refine"));
        List<RowFiles> files = Collections.synchronizedList(new ArrayList<>());
        ThreadLocal<RowFiles> mine = ThreadLocal.withInitial(() -> {
            RowFiles f = new RowFiles(work, "w" + Thread.currentThread().getId(), counts);
            files.add(f);
            return f;
        });
        long started = System.nanoTime();
        AtomicLong bytes = new AtomicLong();
        Set<String> readMessages = ConcurrentHashMap.newKeySet();
        List<String> structures = new ArrayList<>();
        s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(STAGING).delimiter("/")).commonPrefixes().stream()
                .map(CommonPrefix::prefix).forEach(structures::add);
        // the structures' partitions are listed at once (a listing is pages one after the other, each a round trip)
        ExecutorService listing = Executors.newFixedThreadPool(Math.max(1, Math.min(structures.size(), settings.threads())),
                daemon("refine-list"));
        if (previous != null) { // the previous run's patients are likely the day's still: their catalog look-ups start now
            previous.patients().forEach(uuid -> patientDay(patients, lookups, uuid));
        }
        try {
            List<Future<?>> done = Collections.synchronizedList(new ArrayList<>());
            List<Future<?>> lists = new ArrayList<>();
            for (String structure : structures) {
                String partition = structure + LakeKeys.PARTITION + "=" + day + "/";
                lists.add(listing.submit(() -> {
                    for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(partition)).contents()) {
                        if (!object.key().endsWith(".json")) {
                            continue;
                        }
                        listed.incrementAndGet();
                        bytes.addAndGet(object.size());
                        if (previous != null && previous.unchanged(object.key(), object.eTag())) {
                            synchronized (reused) {
                                reused.put(object.key(), previous.source(object.key()).messageId());
                            }
                            continue;
                        }
                        done.add(pool.submit(() -> read(object.key(), mine.get(), patients, lookups, read, vanished, readMessages)));
                    }
                    return null;
                }));
            }
            await(lists, "the staging zone could not be listed");
            progress.printf(Locale.ROOT, "refine: %s: %,d staging documents listed (%,d bytes) in %.1f s, %,d read meanwhile%n", day,
                    listed.get(), bytes.get(), seconds(started), read.get());
            await(done, "a staging document could not be read");
            while (previous != null) { // a reused document whose message is also at a key read now, or at one the previous run read
                Set<String> elsewhere = previous.messagesExcept(reused.keySet());
                elsewhere.addAll(readMessages);
                List<String> clash = reused.entrySet().stream().filter(e -> elsewhere.contains(e.getValue())).map(Map.Entry::getKey).toList();
                if (clash.isEmpty()) {
                    break;
                }
                done.clear();
                for (String key : clash) {
                    synchronized (reused) { // the progress ticker counts it
                        reused.remove(key);
                    }
                    done.add(pool.submit(() -> read(key, mine.get(), patients, lookups, read, vanished, readMessages)));
                }
                await(done, "a staging document could not be read");
            }
            for (String key : reused.keySet()) {
                Flattener.PatientSeen seen = previous.source(key).patient();
                if (seen != null) {
                    seen(patients, lookups, seen);
                }
            }
            return bytes.get();
        } finally {
            listing.shutdownNow();
            pool.shutdownNow();
            for (RowFiles f : files) {
                f.close();
            }
        }
    }

    /** Reads and flattens one staging document: its rows, its sources row, what it says of its patient. */
    private Void read(String key, RowFiles rows, Map<String, PatientDay> patients, ExecutorService lookups, AtomicLong read,
                      AtomicLong vanished, Set<String> readMessages) throws IOException {
        ResponseBytes<GetObjectResponse> object;
        try {
            object = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
        } catch (NoSuchKeyException movedOrRemoved) { // restaged to another key meanwhile: the next run has it
            vanished.incrementAndGet();
            return null;
        }
        JsonNode document = JSON.readTree(object.asByteArray());
        Flattener.PatientSeen seen = new Flattener(rows).flatten(document, key);
        String messageId = document.path("meta").path("message_id").asText(null);
        rows.row(RefinedTables.SOURCES, PreviousRun.row(key, object.response().eTag(), messageId, seen));
        if (messageId != null) {
            readMessages.add(messageId);
        }
        if (seen != null) {
            seen(patients, lookups, seen);
        }
        read.incrementAndGet();
        return null;
    }

    /** A message's patient, added to its day. */
    private void seen(Map<String, PatientDay> patients, ExecutorService lookups, Flattener.PatientSeen seen) {
        patientDay(patients, lookups, seen.uuid()).add(seen);
    }

    /** The patient's day; the catalog look-up of its identifiers is asked when the uuid is first seen. */
    private PatientDay patientDay(Map<String, PatientDay> patients, ExecutorService lookups, String uuid) {
        return patients.computeIfAbsent(uuid, u -> new PatientDay(lookups.submit(() -> identifiersOf(u))));
    }

    private static void await(List<Future<?>> done, String what) throws InterruptedException {
        for (Future<?> f : done) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(what + " (" + e.getCause().getClass().getSimpleName()
                        + "): nothing switched, the previous run stays current", e.getCause());
            }
        }
    }

    /** What the day's messages say of one patient: per field, the newest message's value; every identifier and where it was seen. */
    private static final class PatientDay {
        /** What the cross-reference linked to the uuid when the day's first message of the patient was read. */
        final Future<Set<String>> linked;
        final Map<String, String[]> fields = new HashMap<>(); // field -> {value, message time + id}
        final Map<String, String> identifiers = new TreeMap<>(); // identifier -> first message (by id) that carried it
        int messages;
        String lastMessageId;
        String lastOrder;

        PatientDay(Future<Set<String>> linked) {
            this.linked = linked;
        }

        synchronized void add(Flattener.PatientSeen seen) {
            messages++;
            String order = (seen.messageTime() == null ? "" : seen.messageTime()) + " " + seen.messageId();
            if (lastOrder == null || order.compareTo(lastOrder) > 0) {
                lastOrder = order;
                lastMessageId = seen.messageId();
            }
            field("family_name", seen.family(), order);
            field("given_name", seen.given(), order);
            field("birth_date", seen.birthDate(), order);
            field("sex", seen.sex(), order);
            field("street", seen.street(), order);
            field("city", seen.city(), order);
            field("state", seen.state(), order);
            field("postal_code", seen.postalCode(), order);
            field("country", seen.country(), order);
            for (String id : seen.identifiers()) {
                identifiers.merge(id, seen.messageId(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        }

        private void field(String name, String value, String order) {
            if (value != null) {
                String[] now = fields.get(name);
                if (now == null || order.compareTo(now[1]) > 0) {
                    fields.put(name, new String[] {value, order});
                }
            }
        }
    }

    /**
     * The patients rows (identifiers from the cross-reference: every identifier linked to the uuid, on
     * any day) and the conflicts: an identifier a message of this patient carried that the
     * cross-reference links to another uuid, and two identifiers of one patient from the same
     * assigning authority and type.
     */
    private void patients(Map<String, PatientDay> patients, Path work, RowCounts counts) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(settings.threads(), daemon("refine-patients"));
        try (RowFiles out = new RowFiles(work, "patients", counts)) {
            List<Future<?>> done = new ArrayList<>();
            for (Map.Entry<String, PatientDay> patient : new TreeMap<>(patients).entrySet()) {
                if (patient.getValue().messages == 0) { // asked for early (the previous run's), but none of its documents is listed now
                    continue;
                }
                done.add(pool.submit(() -> {
                    PatientDay day = patient.getValue();
                    Set<String> linked;
                    try {
                        linked = day.linked.get();
                    } catch (ExecutionException e) {
                        throw e.getCause() instanceof Exception cause ? cause : e;
                    }
                    synchronized (day) {
                        if (!linked.containsAll(day.identifiers.keySet())) { // linked after the early look-up: ask again
                            linked = identifiersOf(patient.getKey());
                        }
                    }
                    List<ObjectNode> conflicts = new ArrayList<>();
                    for (Map.Entry<String, String> carried : day.identifiers.entrySet()) {
                        if (!linked.contains(carried.getKey())) {
                            ObjectNode conflict = JSON.createObjectNode();
                            conflict.put("kind", "identifier_of_another_patient");
                            conflict.put("patient_uuid", patient.getKey());
                            conflict.put("identifier", carried.getKey());
                            conflict.put("other_uuid", ownerOf(carried.getKey()));
                            conflict.putNull("other_identifier");
                            conflict.put("message_id", carried.getValue());
                            conflicts.add(conflict);
                        }
                    }
                    Map<String, List<String>> byAuthority = linked.stream().collect(Collectors.groupingBy(
                            id -> id.substring(0, Math.max(0, id.lastIndexOf('#'))), TreeMap::new, Collectors.toList()));
                    byAuthority.forEach((authority, ids) -> {
                        if (!authority.isEmpty() && !authority.startsWith("#") && ids.size() > 1) {
                            for (String other : ids.subList(1, ids.size())) {
                                ObjectNode conflict = JSON.createObjectNode();
                                conflict.put("kind", "two_identifiers_one_authority");
                                conflict.put("patient_uuid", patient.getKey());
                                conflict.put("identifier", ids.get(0));
                                conflict.putNull("other_uuid");
                                conflict.put("other_identifier", other);
                                conflict.putNull("message_id");
                                conflicts.add(conflict);
                            }
                        }
                    });
                    ObjectNode row = JSON.createObjectNode();
                    row.put("patient_uuid", patient.getKey());
                    var ids = row.putArray("identifiers");
                    new TreeSet<>(linked).forEach(ids::add);
                    synchronized (day) {
                        for (String field : List.of("family_name", "given_name", "birth_date", "sex", "street", "city",
                                "state", "postal_code", "country")) {
                            String[] value = day.fields.get(field);
                            row.put(field, value == null ? null : value[0]);
                        }
                        row.put("messages", day.messages);
                        row.put("last_message_id", day.lastMessageId);
                        String time = day.lastOrder.substring(0, day.lastOrder.indexOf(' '));
                        row.put("last_message_time", Flattener.timestamp(time.isEmpty() ? null : time));
                    }
                    synchronized (out) {
                        out.row(RefinedTables.PATIENTS, row);
                        conflicts.forEach(c -> out.row(RefinedTables.PATIENT_CONFLICTS, c));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("the patient cross-reference could not be read ("
                            + e.getCause().getClass().getSimpleName() + "): nothing switched", e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Every identifier the cross-reference links to {@code uuid} (a hashed one by its whole value). */
    private Set<String> identifiersOf(String uuid) {
        Set<String> ids = new TreeSet<>();
        dynamo.queryPaginator(b -> b.tableName(tables.patientIds()).keyConditionExpression("#u = :u")
                        .expressionAttributeNames(Map.of("#u", "uuid")).expressionAttributeValues(Map.of(":u", AttributeValue.fromS(uuid))))
                .items().forEach(item -> ids.add(item.containsKey("local_id_value") ? item.get("local_id_value").s()
                        : item.get("local_id").s()));
        return ids;
    }

    /** The uuid the cross-reference links {@code identifier} to (null: none yet). */
    private String ownerOf(String identifier) {
        String key = identifier.getBytes(StandardCharsets.UTF_8).length > 1024 ? "sha256#" + sha256(identifier) : identifier;
        var items = dynamo.query(b -> b.tableName(tables.patientIds()).indexName(CatalogTables.LOCAL_INDEX)
                .keyConditionExpression("local_id = :id").expressionAttributeValues(Map.of(":id", AttributeValue.fromS(key)))
                .limit(1)).items();
        return items.isEmpty() ? null : items.get(0).get("uuid").s();
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * DuckDB reads each table's row files with the declared columns, and the previous run's rows of
     * the {@code reused} documents' messages, and writes one Parquet file (ZSTD); {@code rows} gets
     * each published table's row count.
     */
    private Map<RefinedTables.Table, Path> parquet(Path work, RowCounts counts, PreviousRun previous, Map<String, String> reused,
                                                   Map<String, Long> rows) throws IOException {
        Map<RefinedTables.Table, Path> out = new LinkedHashMap<>();
        boolean reuse = previous != null && !reused.isEmpty();
        if (reuse) {
            try (RowFiles keys = new RowFiles(work, "reused", new RowCounts())) {
                reused.forEach((key, message) -> keys.row(REUSED, JSON.createObjectNode().put("staging_key", key).put("message_id", message)));
            }
        }
        try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duckdb.createStatement()) {
            sql.execute("SET memory_limit = '" + settings.duckdbMemory().replace("'", "") + "'");
            sql.execute("SET threads = " + Math.max(1, Math.min(settings.threads(), Runtime.getRuntime().availableProcessors())));
            sql.execute("SET preserve_insertion_order = false"); // else materialising many rows can take gigabytes
            sql.execute("SET temp_directory = '" + work.resolve("duckdb-spill") + "'");
            if (reuse) {
                sql.execute("CREATE TEMP TABLE reused AS SELECT * FROM read_json('" + work.resolve(REUSED.name()) + "-reused.json', "
                        + "format = 'newline_delimited', columns = " + REUSED.duckdbColumns() + ")");
            }
            for (RefinedTables.Table table : RefinedTables.FILES) {
                Path target = work.resolve(table.name() + ".parquet");
                String columns = table.columns().stream().map(RefinedTables.Column::name).collect(Collectors.joining(", "));
                List<String> parts = new ArrayList<>();
                if (counts.of(table) > 0) {
                    parts.add("SELECT " + columns + " FROM read_json('" + work.resolve(table.name()) + "-*.json', format = 'newline_delimited', "
                            + "columns = " + table.duckdbColumns() + ")");
                }
                if (reuse && table == RefinedTables.SOURCES) {
                    parts.add("SELECT " + columns + " FROM read_parquet('" + previous.file(table) + "') "
                            + "WHERE staging_key IN (SELECT staging_key FROM reused)");
                } else if (reuse && RefinedTables.perMessage(table)) {
                    parts.add("SELECT " + columns + " FROM read_parquet('" + previous.file(table) + "') "
                            + "WHERE message_id IN (SELECT message_id FROM reused)");
                }
                String source = parts.isEmpty()
                        ? "SELECT " + table.columns().stream().map(c -> "CAST(NULL AS " + c.duckdb() + ") AS " + c.name())
                                .collect(Collectors.joining(", ")) + " WHERE false"
                        : "SELECT * FROM (" + String.join(" UNION ALL ", parts) + ") ORDER BY " + table.orderBy();
                sql.execute("COPY (" + source + ") TO '" + target + "' (FORMAT parquet, COMPRESSION zstd)");
                out.put(table, target);
                if (table != RefinedTables.SOURCES) {
                    try (var count = sql.executeQuery("SELECT count(*) FROM read_parquet('" + target + "')")) {
                        count.next();
                        rows.put(table.name(), count.getLong(1));
                    }
                }
            }
        } catch (SQLException e) {
            // DuckDB's message can quote a value it could not convert: not logged (no patient data in a log)
            throw new IllegalStateException("DuckDB could not write the refined tables (SQL state " + e.getSQLState() + ")", e);
        }
        return out;
    }

    /**
     * Deletes the day's files of runs other than {@code current} that are older than {@code keep}
     * (a reader that took the previous manifest has that long to finish; a run that stopped before
     * its switch left files no manifest names). Returns how many went.
     */
    private int removeReplaced(LocalDate day, String current) {
        long before = clock.millis() - settings.keep().toMillis();
        int removed = 0;
        for (RefinedTables.Table table : RefinedTables.FILES) {
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(RefinedKeys.partition(table.name(), day)))
                    .contents()) {
                String name = object.key().substring(object.key().lastIndexOf('/') + 1);
                if (!name.endsWith(".parquet")) {
                    continue;
                }
                String run = name.substring(0, name.length() - ".parquet".length());
                if (!run.equals(current) && runMillis(run) < before) {
                    s3.deleteObject(b -> b.bucket(bucket).key(object.key()));
                    removed++;
                }
            }
        }
        return removed;
    }

    /** A run id's time (a UUIDv7); a name that is not one: never old enough to delete. */
    private static long runMillis(String runId) {
        try {
            return UUID.fromString(runId).getMostSignificantBits() >>> 16;
        } catch (IllegalArgumentException notOurs) {
            return Long.MAX_VALUE;
        }
    }

    /** Rows written per table, over every writer of a run. */
    static final class RowCounts {
        private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

        void add(RefinedTables.Table table) {
            counts.computeIfAbsent(table.name(), t -> new AtomicLong()).incrementAndGet();
        }

        long of(RefinedTables.Table table) {
            AtomicLong count = counts.get(table.name());
            return count == null ? 0 : count.get();
        }
    }

    /** One writer's newline-delimited JSON files, one per table, {@code <table>-<writer>.json}. */
    private static final class RowFiles implements Flattener.Rows, AutoCloseable {
        private final Path dir;
        private final String writer;
        private final RowCounts counts;
        private final Map<String, JsonGenerator> open = new HashMap<>();

        RowFiles(Path dir, String writer, RowCounts counts) {
            this.dir = dir;
            this.writer = writer;
            this.counts = counts;
        }

        @Override
        public void row(RefinedTables.Table table, ObjectNode row) {
            try {
                JsonGenerator out = open.get(table.name());
                if (out == null) {
                    OutputStream file = Files.newOutputStream(dir.resolve(table.name() + "-" + writer + ".json"));
                    out = JSON.getFactory().createGenerator(new java.io.BufferedOutputStream(file, 1 << 16));
                    open.put(table.name(), out);
                }
                JSON.writeTree(out, row);
                out.writeRaw('\n');
                counts.add(table);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            for (JsonGenerator out : open.values()) {
                try {
                    out.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicLong n = new AtomicLong();
        return work -> {
            Thread thread = new Thread(work, name + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
