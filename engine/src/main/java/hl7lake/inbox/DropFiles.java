package hl7lake.inbox;

import hl7lake.catalog.ErrorRecord;
import hl7lake.catalog.MessageIndex;
import hl7lake.hl7.SplitMessage;
import hl7lake.ingest.Inbound;
import hl7lake.lake.LakeKeys;
import hl7lake.lake.LakeWriter;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.Abortable;

import java.io.IOException;
import java.time.Clock;
import java.util.Iterator;
import java.util.Optional;
import java.util.UUID;

/**
 * The steps of a drop file's life cycle, each called by the routes in {@code routes/s3-inbox.yaml}:
 * claim (this version of the file, for this instance), archive, its messages (the split), the
 * report, removal from the inbox, completion; or, on the way, the claim given back (no penalty) or
 * released (tried again after a back-off). Every lake write goes through {@link LakeWriter}.
 *
 * <p>Exactly once per file version across instances and restarts comes from the claims
 * ({@link FileClaims}); a file resumed after a crash is replayed, and the pipeline recognises what
 * it stored before. File names are text a sender chose (they can hold a patient's name): the log
 * names a file by its file id, or a hash of its key, and the key never travels in a header.
 */
public final class DropFiles {

    /** Exchange property: the {@link DropFile} being worked on. */
    public static final String FILE = "hl7lakeDropFile";
    /** Exchange property: the inbox key of the file discovered (text a sender chose: never a header). */
    public static final String KEY = "hl7lakeInboxKey";
    /** Exchange property: the ETag of the version discovered, without quotes. */
    public static final String ETAG = "hl7lakeInboxETag";
    /**
     * Exchange property: what became of the file, for the queue's discovery to decide whether its
     * event is finished: {@code done}, {@code gone} (that version is no longer in the inbox, or is
     * not a drop file), {@code held} (another instance has it, or it is backing off), {@code yielded},
     * {@code retry}.
     */
    public static final String OUTCOME = "hl7lakeDropOutcome";
    /** Exchange property of each split message: its 1-based index in the file. */
    public static final String INDEX = "hl7lakeMessageIndex";

    private static final Logger LOG = LoggerFactory.getLogger(DropFiles.class);

    private final LakeWriter lake;
    private final FileClaims claims;
    private final MessageIndex index;
    private final String prefix;
    private final int maxMessageBytes;
    private final Clock clock;
    private final String owner = "engine-" + UUID.randomUUID();

    public DropFiles(LakeWriter lake, FileClaims claims, MessageIndex index, String prefix, int maxMessageBytes,
                     Clock clock) {
        this.lake = lake;
        this.claims = claims;
        this.index = index;
        this.prefix = prefix;
        this.maxMessageBytes = maxMessageBytes;
        this.clock = clock;
    }

    /**
     * The aws2-s3 consumer found a file: its key and ETag become properties and its headers are
     * dropped. The consumer's own GET of the object is aborted unread: the archived copy is read.
     */
    public void discovered(Exchange exchange) {
        var message = exchange.getMessage();
        if (message.getBody() instanceof Abortable response) {
            response.abort();
        }
        exchange.setProperty(KEY, message.getHeader("CamelAwsS3Key", String.class));
        exchange.setProperty(ETAG, unquoted(message.getHeader("CamelAwsS3ETag", String.class)));
        message.removeHeaders("CamelAwsS3*");
        message.setBody(null);
    }

    /** An S3 event named a file (the queue's discovery). */
    public void named(Exchange exchange) {
        InboxEvents.InboxObject object = exchange.getMessage().getBody(InboxEvents.InboxObject.class);
        exchange.setProperty(KEY, object.key());
        exchange.setProperty(ETAG, unquoted(object.etag()));
        exchange.getMessage().setBody(null);
    }

    /**
     * The route's filter: takes this version of the file for this instance. False when it is not a
     * drop file, was finished before (it is then removed from the inbox, as a crash may have left
     * it), another instance holds it, or it is backing off after a failure.
     */
    public boolean claim(Exchange exchange) {
        String key = exchange.getProperty(KEY, String.class);
        String etag = exchange.getProperty(ETAG, String.class);
        if (key == null || etag == null || !key.startsWith(prefix) || key.endsWith("/")) {
            exchange.setProperty(OUTCOME, "gone");
            return false;
        }
        if (stopping(exchange.getContext())) {
            exchange.setProperty(OUTCOME, "held");
            return false;
        }
        if (claims.done(key, etag)) {
            String left = lake.removeDropFile(key, etag, null);
            LOG.info("inbox file {} was ingested before (the same version); {}", FileClaims.reference(key), left);
            exchange.setProperty(OUTCOME, "done");
            return false;
        }
        Optional<FileClaim> claim = claims.take(key, etag, owner);
        if (claim.isEmpty()) {
            exchange.setProperty(OUTCOME, "held");
            return false;
        }
        exchange.setProperty(FILE, new DropFile(claim.get(), key.substring(prefix.length()), clock.instant()));
        return true;
    }

    /** Copies the claimed version to {@code raw/files/…} (every catalog entry points at an object that exists). */
    public void archive(Exchange exchange) {
        DropFile file = file(exchange);
        String archiveKey = LakeKeys.archive(file.fileId(), file.name());
        Optional<String> versionId = lake.archiveDropFile(file.inboxKey(), file.claim().etag(), archiveKey);
        file.archived(archiveKey, versionId.orElse(null));
    }

    /** The split's expression: the archived file's messages, streamed. */
    public Iterator<SplitMessage> messages(Exchange exchange) {
        DropFile file = file(exchange);
        CamelContext context = exchange.getContext();
        FileMessages messages = new FileMessages(lake.open(file.archiveKey()), maxMessageBytes, file, claims, clock,
                () -> stopping(context));
        file.reading(messages);
        return messages;
    }

    /** One message of the file as the pipeline takes it: the archive is its raw object. */
    public Inbound inbound(Exchange exchange) {
        SplitMessage message = exchange.getMessage().getBody(SplitMessage.class);
        exchange.setProperty(INDEX, message.index());
        return new Inbound(message.bytes(), "s3", clock.instant(), file(exchange).archiveKey(), message.offset(),
                message.length());
    }

    /** A message over the limit stays in the archived file; its error record says where. */
    public Oversized oversize(Exchange exchange) {
        SplitMessage message = exchange.getMessage().getBody(SplitMessage.class);
        exchange.setProperty(INDEX, message.index());
        DropFile file = file(exchange);
        String errorId = file.fileId() + "-" + message.index();
        index.record(new ErrorRecord(errorId, file.archiveKey(), "split", 207, "message",
                "the message is larger than the " + maxMessageBytes + "-byte limit (bytes " + message.offset()
                        + " to " + (message.offset() + message.length()) + " of the file)", "AR", clock.instant(),
                "s3", file.archiveKey(), null, null));
        return new Oversized(message.index(), errorId, maxMessageBytes);
    }

    /** A message over the limit: its place in the file and its error record. */
    public record Oversized(int index, String errorId, long limit) {
    }

    /** After the split: a file whose messages ended early is given back, not finished. */
    public void read(Exchange exchange) {
        DropFile file = file(exchange);
        file.messages().close();
        if (file.stopped() != null) {
            throw new FileYielded(file.stopped());
        }
    }

    /** The report, beside the archive. */
    public void writeReport(Exchange exchange) throws IOException {
        DropFile file = file(exchange);
        byte[] json = file.report().finish(file.summary(), clock.instant());
        lake.dropFileReport(reportKey(file), json);
    }

    /** Only the version ingested leaves the inbox. */
    public void removeFromInbox(Exchange exchange) {
        DropFile file = file(exchange);
        String left = lake.removeDropFile(file.inboxKey(), file.claim().etag(), file.versionId());
        LOG.info("file {}: {} messages; {}", file.fileId(), file.report().messages(), left);
    }

    /** Marks this version done for good. */
    public void complete(Exchange exchange) {
        DropFile file = file(exchange);
        claims.complete(file.claim(), reportKey(file));
        exchange.setProperty(OUTCOME, "done");
    }

    /** The claimed version left the inbox (or was replaced) before it was archived: nothing to ingest. */
    public void superseded(Exchange exchange) {
        DropFile file = file(exchange);
        LOG.info("file {}: this version left the inbox or was replaced before it was archived; not ingested",
                file.fileId());
        claims.yieldFile(file.claim());
        exchange.setProperty(OUTCOME, "gone");
    }

    /** The engine is stopping, or another instance took the file over: given back with no penalty. */
    public void yieldFile(Exchange exchange) {
        DropFile file = file(exchange);
        closeQuietly(file);
        LOG.info("file {}: {}; the file stays in the inbox", file.fileId(), file.stopped());
        claims.yieldFile(file.claim());
        exchange.setProperty(OUTCOME, "yielded");
    }

    /** A storage failure (or any other): the file stays in the inbox, tried again after a back-off. */
    public void release(Exchange exchange) {
        DropFile file = file(exchange);
        closeQuietly(file);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Throwable cause = e;
        while (cause != null && cause.getCause() != null && cause instanceof org.apache.camel.CamelExchangeException) {
            cause = cause.getCause();
        }
        LOG.warn("file {}: {}; it stays in the inbox and is tried again after a back-off", file.fileId(),
                cause == null ? "failed" : cause.getClass().getSimpleName());
        claims.release(file.claim());
        exchange.setProperty(OUTCOME, "retry");
    }

    private static void closeQuietly(DropFile file) {
        if (file.messages() != null) {
            file.messages().close();
        }
    }

    private static String reportKey(DropFile file) {
        return file.archiveKey() + ".report.json";
    }

    private static DropFile file(Exchange exchange) {
        return exchange.getProperty(FILE, DropFile.class);
    }

    /** Stopping or stopped (not merely still starting: a file found while the engine starts is ingested). */
    private static boolean stopping(CamelContext context) {
        ServiceStatus status = context.getStatus();
        return status.isStopping() || status.isStopped() || status.isSuspending() || status.isSuspended();
    }

    private static String unquoted(String etag) {
        return etag == null ? null : etag.replace("\"", "");
    }

    /** The messages of a file ended before its end: it goes back to the inbox with no penalty. */
    public static final class FileYielded extends RuntimeException {
        FileYielded(String reason) {
            super(reason, null, false, false);
        }
    }
}
