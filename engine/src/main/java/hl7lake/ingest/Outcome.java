package hl7lake.ingest;

/** What the pipeline did with a message, which each door turns into its own reply. */
public enum Outcome {
    /** Stored in staging and cataloged: AA, HTTP 200. */
    ACCEPTED,
    /** Stored in the error zone with an error record: AE/AR, HTTP 400. */
    REJECTED,
    /** Nothing acknowledged: storage failed, the sender should retry (AR, HTTP 503, the file stays). */
    TRANSIENT_FAILURE
}
