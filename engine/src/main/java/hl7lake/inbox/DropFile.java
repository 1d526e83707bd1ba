package hl7lake.inbox;

import hl7lake.hl7.BatchSummary;

import java.time.Instant;

/**
 * One claimed drop file on its way through the route {@code drop-file}: the claim, where the file is
 * (inbox key, the version archived) and what became of its messages. It travels as an exchange
 * property, never as a header: the key holds a name a sender chose, and headers can be logged.
 */
public final class DropFile {

    private final FileClaim claim;
    private final String name;
    private final Instant started;
    private String archiveKey;
    private String versionId;
    private FileReport report;
    private FileMessages messages;
    private volatile String stopped;

    DropFile(FileClaim claim, String name, Instant started) {
        this.claim = claim;
        this.name = name;
        this.started = started;
    }

    FileClaim claim() {
        return claim;
    }

    String inboxKey() {
        return claim.fileKey();
    }

    String name() {
        return name;
    }

    /** The stable id of this version of the file: its archive key, its report and the log name it by this. */
    public String fileId() {
        return claim.fileId();
    }

    void archived(String archiveKey, String versionId) {
        this.archiveKey = archiveKey;
        this.versionId = versionId;
        this.report = new FileReport(claim, archiveKey, started);
    }

    String archiveKey() {
        return archiveKey;
    }

    String versionId() {
        return versionId;
    }

    FileReport report() {
        return report;
    }

    void reading(FileMessages messages) {
        this.messages = messages;
    }

    FileMessages messages() {
        return messages;
    }

    BatchSummary summary() {
        return messages.summary();
    }

    /** The messages end before the end of the file, for this reason (the engine stops, the file was taken over). */
    void stop(String reason) {
        stopped = reason;
    }

    String stopped() {
        return stopped;
    }

    @Override
    public String toString() {
        return "drop file " + claim.fileId(); // never the key: a name a sender chose
    }
}
