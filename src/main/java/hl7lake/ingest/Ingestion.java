package hl7lake.ingest;

import hl7lake.catalog.PatientLink;
import hl7lake.convert.Conversion;

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

    void converted(Conversion conversion) {
        this.conversion = conversion;
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
}
