package hl7lake.inbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hl7lake.hl7.BatchSummary;
import hl7lake.ingest.Ingestion;

import java.time.Instant;

/**
 * What became of one drop file, written beside its archived copy as JSON: counts, the message ids,
 * the errors (index, error id, code, location, reason), and the batch envelope. Ids and errors are
 * listed up to a limit (the catalog has them all), so a report of any file fits in memory.
 */
final class FileReport {

    static final int LISTED = 100_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode report = JSON.createObjectNode();
    private final ArrayNode messageIds = JSON.createArrayNode();
    private final ArrayNode errors = JSON.createArrayNode();
    private int messages;
    private int accepted;
    private int rejected;
    private int duplicates;

    FileReport(FileClaim claim, String archiveKey, Instant started) {
        report.put("file", claim.fileKey());
        report.put("etag", claim.etag());
        report.put("file_id", claim.fileId());
        report.put("archive_key", archiveKey);
        report.put("started_at", started.toString());
    }

    synchronized void add(int index, Ingestion ingestion) {
        messages++;
        if (ingestion.duplicate()) {
            duplicates++;
        }
        switch (ingestion.outcome()) {
            case ACCEPTED -> {
                accepted++;
                if (messageIds.size() < LISTED) {
                    messageIds.add(ingestion.messageId());
                }
            }
            case REJECTED -> {
                rejected++;
                var rejection = ((Ingestion.Rejected) ingestion).rejection();
                error(index, ingestion.messageId(), rejection.code().getCode(), rejection.location().toString(),
                        rejection.reason());
            }
            default -> { } // a storage failure: the file is not finished (FileReports)
        }
    }

    synchronized void error(int index, String errorId, int code, String location, String reason) {
        if (errors.size() < LISTED) {
            ObjectNode error = errors.addObject();
            error.put("index", index);
            error.put("error_id", errorId);
            error.put("code", code);
            error.put("location", location);
            error.put("reason", reason);
        }
    }

    synchronized void oversize(int index, String errorId, long limit) {
        messages++;
        rejected++;
        error(index, errorId, 207, "message", "the message is larger than the " + limit + "-byte limit");
    }

    synchronized int messages() {
        return messages;
    }

    synchronized byte[] finish(BatchSummary batch, Instant finished) throws java.io.IOException {
        report.put("finished_at", finished.toString());
        ObjectNode counts = report.putObject("counts");
        counts.put("messages", messages);
        counts.put("accepted", accepted);
        counts.put("rejected", rejected);
        counts.put("duplicates", duplicates);
        ObjectNode envelope = report.putObject("batch");
        envelope.put("file_control_id", batch.fileControlId());
        batch.batchControlIds().forEach(envelope.putArray("batch_control_ids")::add);
        ArrayNode problems = envelope.putArray("problems");
        batch.problems().forEach(problems::add);
        if (messages == 0) {
            problems.add("no message found");
        }
        report.set("message_ids", messageIds);
        report.put("message_ids_complete", accepted <= LISTED);
        report.set("errors", errors);
        return JSON.writeValueAsBytes(report);
    }
}
