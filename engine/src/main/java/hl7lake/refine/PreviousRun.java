package hl7lake.refine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The day's current run, as the next run of the day reuses it: which staging documents it read (key
 * and ETag), the message each held and what it said of its patient ({@link RefinedTables#SOURCES}),
 * and its files of the per-message tables, downloaded. A document listed again with the same key and
 * ETag has the same rows, so the next run takes them from these files instead of reading the
 * document again; the patients are recomputed every run (the cross-reference may have linked more).
 * Usable only when every table's manifest names the same run, all its files are there, and its rows
 * were made by this version's flattening ({@link Flattener#VERSION}); otherwise the run reads
 * everything, as a first run does (docs/decisions.md, "The refined zone: a run reuses the previous
 * one's rows").
 */
final class PreviousRun {

    /** What the previous run read at a staging key. */
    record Source(String etag, String messageId, Flattener.PatientSeen patient) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String runId;
    private final Path dir;
    private final Map<String, Source> sources;

    private PreviousRun(String runId, Path dir, Map<String, Source> sources) {
        this.runId = runId;
        this.dir = dir;
        this.sources = sources;
    }

    /** The day's current run if the next run can reuse it, its files under {@code work}; null (and why, on {@code progress}) if not. */
    static PreviousRun find(S3Client s3, String bucket, LocalDate day, Path work, PrintStream progress) throws IOException {
        String run = null;
        for (RefinedTables.Table table : RefinedTables.FILES) {
            String manifest;
            try {
                manifest = s3.getObjectAsBytes(b -> b.bucket(bucket).key(RefinedKeys.manifest(table.name(), day))).asUtf8String();
            } catch (NoSuchKeyException none) {
                return none(progress, day, run == null ? "no previous run" : "no previous run that kept its sources");
            }
            String name = manifest.strip().substring(manifest.strip().lastIndexOf('/') + 1);
            String named = name.endsWith(".parquet") ? name.substring(0, name.length() - ".parquet".length()) : name;
            if (!manifest.equals(RefinedKeys.manifestText(bucket, table.name(), day, named))
                    || (run != null && !run.equals(named))) {
                return none(progress, day, "the tables' manifests do not name one run");
            }
            run = named;
        }
        Path dir = Files.createDirectories(work.resolve("previous"));
        for (RefinedTables.Table table : RefinedTables.FILES) {
            if (RefinedTables.perMessage(table) || table == RefinedTables.SOURCES) {
                String key = RefinedKeys.file(table.name(), day, run);
                try {
                    s3.getObject(b -> b.bucket(bucket).key(key), ResponseTransformer.toFile(dir.resolve(table.name() + ".parquet")));
                } catch (NoSuchKeyException gone) {
                    return none(progress, day, "a file of run " + run + " is gone");
                }
            }
        }
        Map<String, Source> sources = new HashMap<>();
        try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duckdb.createStatement();
             ResultSet rows = sql.executeQuery("SELECT staging_key, etag, message_id, flattened_by, patient_uuid, message_time, "
                     + "family_name, given_name, birth_date, sex, street, city, state, postal_code, country, identifiers FROM read_parquet('"
                     + dir.resolve(RefinedTables.SOURCES.name() + ".parquet") + "')")) {
            while (rows.next()) {
                if (!Flattener.VERSION.equals(rows.getString(4))) {
                    return none(progress, day, "run " + run + " was flattened by another version");
                }
                Flattener.PatientSeen patient = null;
                if (rows.getString(5) != null) {
                    List<String> identifiers = new ArrayList<>();
                    Array array = rows.getArray(16);
                    if (array != null) {
                        for (Object id : (Object[]) array.getArray()) {
                            identifiers.add((String) id);
                        }
                    }
                    patient = new Flattener.PatientSeen(rows.getString(5), rows.getString(3), rows.getString(6), rows.getString(7),
                            rows.getString(8), rows.getString(9), rows.getString(10), rows.getString(11), rows.getString(12),
                            rows.getString(13), rows.getString(14), rows.getString(15), identifiers);
                }
                sources.put(rows.getString(1), new Source(rows.getString(2), rows.getString(3), patient));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("DuckDB could not read the previous run's sources (SQL state " + e.getSQLState() + ")", e);
        }
        progress.printf(Locale.ROOT, "refine: %s: run %s read %,d staging documents; those unchanged are not read again%n", day, run,
                sources.size());
        return new PreviousRun(run, dir, sources);
    }

    private static PreviousRun none(PrintStream progress, LocalDate day, String why) {
        progress.printf(Locale.ROOT, "refine: %s: %s: every staging document is read%n", day, why);
        return null;
    }

    String runId() {
        return runId;
    }

    /** The run's file of {@code table} (a per-message table or the sources). */
    Path file(RefinedTables.Table table) {
        return dir.resolve(table.name() + ".parquet");
    }

    /** The previous run read this key at this ETag (quotes or not), and knows its message: its rows can be reused. */
    boolean unchanged(String key, String etag) {
        Source source = sources.get(key);
        return source != null && source.messageId() != null && source.etag().equals(etag(etag));
    }

    Source source(String key) {
        return sources.get(key);
    }

    /** The patients the previous run's documents named. */
    Set<String> patients() {
        Set<String> uuids = new HashSet<>();
        sources.values().forEach(source -> {
            if (source.patient() != null) {
                uuids.add(source.patient().uuid());
            }
        });
        return uuids;
    }

    /** The messages of the previous run's documents other than those at {@code reused} keys. */
    Set<String> messagesExcept(Set<String> reused) {
        Set<String> ids = new HashSet<>();
        sources.forEach((key, source) -> {
            if (!reused.contains(key) && source.messageId() != null) {
                ids.add(source.messageId());
            }
        });
        return ids;
    }

    /** An ETag without its quotes. */
    static String etag(String etag) {
        return etag == null ? "" : etag.replace("\"", "");
    }

    /** The sources row of a document read now. */
    static ObjectNode row(String key, String etag, String messageId, Flattener.PatientSeen patient) {
        ObjectNode row = JSON.createObjectNode();
        row.put("staging_key", key);
        row.put("etag", etag(etag));
        row.put("message_id", messageId);
        row.put("flattened_by", Flattener.VERSION);
        var ids = row.putArray("identifiers");
        if (patient != null) { // else the patient's columns are absent: DuckDB reads them as NULL
            row.put("patient_uuid", patient.uuid());
            row.put("message_time", patient.messageTime());
            row.put("family_name", patient.family());
            row.put("given_name", patient.given());
            row.put("birth_date", patient.birthDate());
            row.put("sex", patient.sex());
            row.put("street", patient.street());
            row.put("city", patient.city());
            row.put("state", patient.state());
            row.put("postal_code", patient.postalCode());
            row.put("country", patient.country());
            patient.identifiers().forEach(ids::add);
        }
        return row;
    }
}
