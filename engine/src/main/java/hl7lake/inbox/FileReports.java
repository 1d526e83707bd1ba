package hl7lake.inbox;

import hl7lake.ingest.Ingestion;
import hl7lake.ingest.Outcome;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * The split's aggregation in the route {@code drop-file}: each message's outcome goes into its file's
 * {@link FileReport} as it completes (in any order), so nothing of a message is kept once it is
 * counted. A message that storage failed ends the split (this strategy throws): the file stays in
 * the inbox and is tried again after a back-off, and nothing of it is acknowledged by a report.
 */
public final class FileReports implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange counted, Exchange message) {
        DropFile file = message.getProperty(DropFiles.FILE, DropFile.class);
        int index = message.getProperty(DropFiles.INDEX, 0, Integer.class);
        Object outcome = message.getMessage().getBody();
        if (outcome instanceof Ingestion ingestion) {
            file.report().add(index, ingestion);
            if (ingestion.outcome() == Outcome.TRANSIENT_FAILURE) {
                throw new StorageUnavailable(index);
            }
        } else if (outcome instanceof DropFiles.Oversized oversized) {
            file.report().oversize(oversized.index(), oversized.errorId(), oversized.limit());
        } else {
            throw new IllegalStateException("message " + index + " of file " + file.fileId() + " has no outcome");
        }
        // the first message's exchange stands for them all: the file's state is in its report
        return counted == null ? message : counted;
    }

    /** Storage did not take a message of the file (unavailable, or over the message's deadline). */
    public static final class StorageUnavailable extends RuntimeException {
        StorageUnavailable(int index) {
            super("storage failed for message " + index, null, false, false);
        }
    }
}
