package hl7lake.ingest;

import hl7lake.catalog.PatientLink;
import hl7lake.convert.Conversion;
import hl7lake.hl7.Hl7Rejection;

/**
 * One message on its way through the pipeline route: the exchange body from the first step to the
 * reply. The route's content-based router calls {@link #isDuplicate()} and {@link #isAccepted()}.
 */
public final class Ingestion {

    private final Inbound inbound;
    private final String sha256;
    private final String messageId;
    private final boolean duplicate;
    private Conversion conversion;
    private String rawKey;
    private String stagingKey;
    private String errorKey;
    private PatientLink patient = PatientLink.NONE;
    private Outcome outcome;
    private String failure;
    private String stage = "validate";
    private long deadline;
    private Hl7Rejection firstRejection;

    Ingestion(Inbound inbound, String sha256, String messageId, boolean duplicate, Outcome priorOutcome) {
        this.inbound = inbound;
        this.sha256 = sha256;
        this.messageId = messageId;
        this.duplicate = duplicate;
        this.outcome = priorOutcome;
        this.rawKey = inbound.rawKey();
    }

    public Inbound inbound() {
        return inbound;
    }

    public String door() {
        return inbound.door();
    }

    public String sha256() {
        return sha256;
    }

    /** Ours; for a duplicate, the id the first copy was stored under. */
    public String messageId() {
        return messageId;
    }

    /** These exact bytes were stored before (a resend): answered as the first time, nothing written. */
    public boolean isDuplicate() {
        return duplicate;
    }

    public boolean isAccepted() {
        return conversion instanceof Conversion.Accepted;
    }

    public Conversion conversion() {
        return conversion;
    }

    public String rawKey() {
        return rawKey;
    }

    public String stagingKey() {
        return stagingKey;
    }

    /** The error zone key of a rejected message; its error id is the message id. */
    public String errorKey() {
        return errorKey;
    }

    public PatientLink patient() {
        return patient;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** Why storage failed (exception class and message of the AWS SDK: ids and keys, no content). */
    public String failure() {
        return failure;
    }

    /** Where the message was rejected: {@code validate} (the converter), {@code catalog} (over a catalog limit), {@code store} (the store refused it). */
    public String stage() {
        return stage;
    }

    void converted(Conversion conversion) {
        this.conversion = conversion;
    }

    /** An accepted conversion turned into a rejection by a later stage, which the door answers as any rejection. */
    void rejectedAt(String stage, Hl7Rejection why) {
        this.stage = stage;
        this.conversion = new Conversion.Rejected(conversion.header(), conversion.charset(), conversion.sha256(), why);
    }

    /** The storage deadline of this message ({@link System#nanoTime()} based). */
    long deadline() {
        return deadline;
    }

    void deadline(long nanos) {
        this.deadline = nanos;
    }

    /** For a resend of a rejected message: the first copy's rejection, as its error record has it. */
    Hl7Rejection firstRejection() {
        return firstRejection;
    }

    void firstRejection(Hl7Rejection rejection) {
        this.firstRejection = rejection;
    }

    void rawStored(String key) {
        this.rawKey = key;
    }

    void accepted(String stagingKey, PatientLink patient) {
        this.stagingKey = stagingKey;
        this.patient = patient;
        this.outcome = Outcome.ACCEPTED;
    }

    void rejected(String errorKey) {
        this.errorKey = errorKey;
        this.outcome = Outcome.REJECTED;
    }

    void failed(String reason) {
        this.failure = reason;
        this.outcome = Outcome.TRANSIENT_FAILURE;
    }

    /**
     * A message a door did not send through the pipeline because storage had just failed for an
     * earlier message of the same request: a transient failure, nothing stored, send it again.
     */
    public static Ingestion notTried(Inbound inbound) {
        Ingestion ingestion = new Ingestion(inbound, null, null, false, null);
        ingestion.failed("not tried: storage failed for an earlier message of the request");
        return ingestion;
    }
}
