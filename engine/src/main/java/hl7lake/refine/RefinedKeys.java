package hl7lake.refine;

import hl7lake.lake.LakeKeys;

import java.time.LocalDate;

/**
 * Where the refined zone keeps a table's day: the data files of each compaction run under
 * {@code refined/<table>/day=<yyyy-mm-dd>/<run_id>.parquet}, and the one object that says which run
 * is current, {@code refined/_manifests/<table>/day=<yyyy-mm-dd>/manifest}: the S3 URIs of that run's
 * files, one a line (Athena's symlink manifest; docs/decisions.md, "The refined zone").
 */
public final class RefinedKeys {

    public static final String ZONE = "refined/";
    public static final String MANIFESTS = ZONE + "_manifests/";
    public static final String MANIFEST = "manifest";

    private RefinedKeys() {
    }

    /** {@code refined/<table>/}. */
    public static String table(String table) {
        return ZONE + table + "/";
    }

    /** {@code refined/<table>/day=<day>/}: every run's files of that day. */
    public static String partition(String table, LocalDate day) {
        return table(table) + LakeKeys.PARTITION + "=" + day + "/";
    }

    /** {@code refined/<table>/day=<day>/<run>.parquet}. */
    public static String file(String table, LocalDate day, String runId) {
        return partition(table, day) + runId + ".parquet";
    }

    /** A manifest's text: the S3 URI of the run's file of the table and day, one line. */
    public static String manifestText(String bucket, String table, LocalDate day, String runId) {
        return "s3://" + bucket + "/" + file(table, day, runId) + "\n";
    }

    /** {@code refined/_manifests/<table>/}: the table's location for Athena (symlink manifests by day). */
    public static String manifests(String table) {
        return MANIFESTS + table + "/";
    }

    /** {@code refined/_manifests/<table>/day=<day>/manifest}. */
    public static String manifest(String table, LocalDate day) {
        return manifests(table) + LakeKeys.PARTITION + "=" + day + "/" + MANIFEST;
    }
}
