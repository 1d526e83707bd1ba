package hl7lake.inbox;

import hl7lake.catalog.ErrorRecord;
import hl7lake.catalog.MessageIndex;
import hl7lake.hl7.Er7StreamSplitter;
import hl7lake.hl7.SplitMessage;
import hl7lake.ingest.Inbound;
import hl7lake.ingest.Ingestion;
import hl7lake.ingest.LogText;
import hl7lake.lake.LakeKeys;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;

/**
 * One claimed drop file, start to end: copied to its archive key first (so that every catalog entry
 * points at an object that exists), streamed through the splitter, each message sent through the
 * pipeline with the archive as its raw object, a report written beside the archive, and only then
 * removed from the inbox. A file that is resumed (a restart, another instance taking over) is simply
 * replayed: messages already stored are answered as duplicates, so nothing is cataloged twice.
 */
final class FileIngestion {

    private static final Logger LOG = LoggerFactory.getLogger(FileIngestion.class);

    private final S3Client s3;
    private final String bucket;
    private final MessageIndex index;
    private final FileClaims claims;
    private final ExecutorService workers;
    private final int parallelism;
    private final int maxMessageBytes;
    private final Clock clock;

    FileIngestion(S3Client s3, String bucket, MessageIndex index, FileClaims claims, ExecutorService workers,
                  int parallelism, int maxMessageBytes, Clock clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.index = index;
        this.claims = claims;
        this.workers = workers;
        this.parallelism = parallelism;
        this.maxMessageBytes = maxMessageBytes;
        this.clock = clock;
    }

    /** Why a file was not finished. */
    enum Stop { DONE, RETRY, YIELDED }

    /**
     * Ingests the file: DONE, RETRY (a message hit a storage failure: back off), or YIELDED (the engine
     * is stopping, or another instance took the file over: no penalty).
     */
    Stop ingest(FileClaim claim, String inboxKey, String name, ProducerTemplate pipeline,
                java.util.function.BooleanSupplier stopping) throws Exception {
        Instant started = clock.instant();
        String archiveKey = LakeKeys.archive(claim.fileId(), name);
        archive(inboxKey, claim.etag(), archiveKey);
        FileReport report = new FileReport(claim, archiveKey, started);
        Semaphore inFlight = new Semaphore(parallelism);
        long renewed = clock.millis();
        Er7StreamSplitter splitter;
        try (InputStream file = s3.getObject(b -> b.bucket(bucket).key(archiveKey))) {
            splitter = new Er7StreamSplitter(file, maxMessageBytes);
            while (splitter.hasNext() && !report.hasTransientFailures()) {
                if (stopping.getAsBoolean()) {
                    inFlight.acquire(parallelism); // what was sent is finished and acknowledged
                    LOG.info("file {} ({}): engine stopping, the file goes back to the inbox", LogText.cap(inboxKey), claim.fileId());
                    return Stop.YIELDED;
                }
                SplitMessage message = splitter.next();
                if (message.oversize()) {
                    oversize(claim, archiveKey, message, report);
                    continue;
                }
                inFlight.acquire();
                workers.execute(() -> {
                    try {
                        Inbound inbound = new Inbound(message.bytes(), "s3", clock.instant(), archiveKey,
                                message.offset(), message.length());
                        report.add(message.index(), pipeline.requestBody("direct:ingest", inbound, Ingestion.class));
                    } catch (RuntimeException e) {
                        // never silently lose a message: the file is tried again
                        report.failedToSend();
                        LOG.warn("file {}: message {} could not be sent through the pipeline: {}", LogText.cap(inboxKey),
                                message.index(), e.getClass().getSimpleName());
                    } finally {
                        inFlight.release();
                    }
                });
                if (clock.millis() - renewed > 10_000) {
                    if (!claims.renew(claim)) {
                        LOG.warn("file {} was taken over by another instance; stopping here", LogText.cap(inboxKey));
                        inFlight.acquire(parallelism);
                        return Stop.YIELDED;
                    }
                    renewed = clock.millis();
                }
            }
        }
        inFlight.acquire(parallelism); // every message sent has its outcome
        if (report.hasTransientFailures()) {
            LOG.warn("file {} ({}): storage failed, the file stays in the inbox and is tried again", LogText.cap(inboxKey),
                    claim.fileId());
            return Stop.RETRY;
        }
        byte[] json = report.finish(splitter.summary(), clock.instant());
        String reportKey = archiveKey + ".report.json";
        s3.putObject(b -> b.bucket(bucket).key(reportKey).contentType("application/json")
                .serverSideEncryption(ServerSideEncryption.AES256), software.amazon.awssdk.core.sync.RequestBody.fromBytes(json));
        s3.deleteObject(b -> b.bucket(bucket).key(inboxKey));
        claims.complete(claim, reportKey);
        LOG.info("file {} ({}): {} messages, report {}", LogText.cap(inboxKey), claim.fileId(), report.messages(), reportKey);
        return Stop.DONE;
    }

    /** Copies this version of the inbox file to its archive key, unless an earlier try did. */
    private void archive(String inboxKey, String etag, String archiveKey) {
        try {
            s3.headObject(b -> b.bucket(bucket).key(archiveKey));
        } catch (NoSuchKeyException notYet) {
            s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(inboxKey).copySourceIfMatch(etag)
                    .destinationBucket(bucket).destinationKey(archiveKey)
                    .serverSideEncryption(ServerSideEncryption.AES256));
        }
    }

    /** A message over the limit stays in the archived file; its error record says where. */
    private void oversize(FileClaim claim, String archiveKey, SplitMessage message, FileReport report) {
        String errorId = claim.fileId() + "-" + message.index();
        index.record(new ErrorRecord(errorId, archiveKey, "split", 207, "message",
                "the message is larger than the " + maxMessageBytes + "-byte limit (bytes " + message.offset()
                        + " to " + (message.offset() + message.length()) + " of the file)", "AR", clock.instant(),
                "s3", archiveKey, null, null));
        report.oversize(message.index(), errorId, maxMessageBytes);
    }
}
