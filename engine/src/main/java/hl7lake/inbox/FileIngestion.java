package hl7lake.inbox;

import hl7lake.catalog.ErrorRecord;
import hl7lake.catalog.MessageIndex;
import hl7lake.hl7.Er7StreamSplitter;
import hl7lake.hl7.SplitMessage;
import hl7lake.ingest.Inbound;
import hl7lake.ingest.Ingestion;
import hl7lake.lake.LakeKeys;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;

/**
 * One claimed drop file, start to end: copied to its archive key first (so that every catalog entry
 * points at an object that exists), streamed through the splitter, each message sent through the
 * pipeline with the archive as its raw object, a report written beside the archive, and only then
 * removed from the inbox. A file that is resumed (a restart, another instance taking over) is simply
 * replayed: messages already stored are answered as duplicates, so nothing is cataloged twice.
 *
 * <p>Everything works on the one version of the file that was claimed (its ETag, and its version id
 * where the bucket is versioned): the archive is copied from that version, and only that version
 * leaves the inbox. A version uploaded while this one is worked on stays there and is claimed next.
 * File names are text a sender chose (they can hold a patient's name): logs carry the file id only.
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
    enum Stop { DONE, RETRY, YIELDED, SUPERSEDED }

    /**
     * Ingests the file: DONE, RETRY (a message hit a storage failure: back off), YIELDED (the engine
     * is stopping, or another instance took the file over: no penalty), or SUPERSEDED (this version
     * was replaced in the inbox before it could be archived: the newer one is claimed next).
     */
    Stop ingest(FileClaim claim, String inboxKey, String name, ProducerTemplate pipeline,
                java.util.function.BooleanSupplier stopping) throws Exception {
        Instant started = clock.instant();
        String archiveKey = LakeKeys.archive(claim.fileId(), name);
        Optional<String> versionId;
        try {
            versionId = archive(inboxKey, claim.etag(), archiveKey);
        } catch (Superseded gone) {
            LOG.info("file {}: this version left the inbox or was replaced before it was archived; not ingested",
                    claim.fileId());
            return Stop.SUPERSEDED;
        }
        FileReport report = new FileReport(claim, archiveKey, started);
        Semaphore inFlight = new Semaphore(parallelism);
        long renewed = clock.millis();
        Er7StreamSplitter splitter;
        try (InputStream file = s3.getObject(b -> b.bucket(bucket).key(archiveKey))) {
            splitter = new Er7StreamSplitter(file, maxMessageBytes);
            while (splitter.hasNext() && !report.hasTransientFailures()) {
                if (stopping.getAsBoolean()) {
                    inFlight.acquire(parallelism); // what was sent is finished and acknowledged
                    LOG.info("file {}: engine stopping, the file goes back to the inbox", claim.fileId());
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
                        LOG.warn("file {}: message {} could not be sent through the pipeline: {}", claim.fileId(),
                                message.index(), e.getClass().getSimpleName());
                    } finally {
                        inFlight.release();
                    }
                });
                if (clock.millis() - renewed > 10_000) {
                    if (!claims.renew(claim)) {
                        LOG.warn("file {} was taken over by another instance; stopping here", claim.fileId());
                        inFlight.acquire(parallelism);
                        return Stop.YIELDED;
                    }
                    renewed = clock.millis();
                }
            }
        }
        inFlight.acquire(parallelism); // every message sent has its outcome
        if (report.hasTransientFailures()) {
            LOG.warn("file {}: storage failed, the file stays in the inbox and is tried again", claim.fileId());
            return Stop.RETRY;
        }
        byte[] json = report.finish(splitter.summary(), clock.instant());
        String reportKey = archiveKey + ".report.json";
        s3.putObject(b -> b.bucket(bucket).key(reportKey).contentType("application/json")
                .serverSideEncryption(ServerSideEncryption.AES256), software.amazon.awssdk.core.sync.RequestBody.fromBytes(json));
        String left = removeFromInbox(s3, bucket, inboxKey, claim.etag(), versionId.orElse(null));
        claims.complete(claim, reportKey);
        LOG.info("file {}: {} messages; {}", claim.fileId(), report.messages(), left);
        return Stop.DONE;
    }

    /**
     * Copies the claimed version of the inbox file to its archive key, unless an earlier try did;
     * returns that version's id ("" where the bucket keeps no versions; empty when the claimed
     * version is no longer the inbox's current one, but an earlier try archived it).
     */
    private Optional<String> archive(String inboxKey, String etag, String archiveKey) {
        Optional<String> versionId;
        try {
            // If-Match: the version claimed, not whatever was uploaded over it since the listing
            String id = s3.headObject(b -> b.bucket(bucket).key(inboxKey).ifMatch(quoted(etag))).versionId();
            versionId = Optional.of(id == null ? "" : id);
        } catch (S3Exception gone) {
            if (gone.statusCode() != 404 && gone.statusCode() != 412) {
                throw gone;
            }
            versionId = Optional.empty();
        }
        try {
            s3.headObject(b -> b.bucket(bucket).key(archiveKey));
            return versionId; // an earlier try archived it
        } catch (NoSuchKeyException notYet) {
            if (versionId.isEmpty()) {
                throw new Superseded();
            }
        }
        String version = versionId.get();
        try {
            s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(inboxKey).copySourceIfMatch(quoted(etag))
                    .sourceVersionId(version.isEmpty() ? null : version)
                    .destinationBucket(bucket).destinationKey(archiveKey)
                    .serverSideEncryption(ServerSideEncryption.AES256));
        } catch (S3Exception gone) {
            if (gone.statusCode() == 404 || gone.statusCode() == 412) {
                throw new Superseded();
            }
            throw gone;
        }
        return versionId;
    }

    /**
     * Removes exactly the version that was ingested from the inbox: by its version id where the
     * bucket is versioned (AWS: the stack turns versioning on), else only if the key still holds
     * that ETag (S3's conditional delete, {@code If-Match}). A newer upload under the same key is
     * left for the next poll. Returns what happened, for the log.
     */
    static String removeFromInbox(S3Client s3, String bucket, String inboxKey, String etag, String versionId) {
        try {
            if (versionId != null && !versionId.isEmpty()) {
                s3.deleteObject(b -> b.bucket(bucket).key(inboxKey).versionId(versionId));
            } else {
                s3.deleteObject(b -> b.bucket(bucket).key(inboxKey).ifMatch(quoted(etag)));
            }
            return "removed from the inbox";
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                return "a newer version is in the inbox; it is ingested next";
            }
            if (e.statusCode() == 404) {
                return "already gone from the inbox";
            }
            throw e;
        }
    }

    private static String quoted(String etag) {
        return etag.startsWith("\"") ? etag : "\"" + etag + "\"";
    }

    /** The claimed version is no longer in the inbox and was not archived by an earlier try. */
    private static final class Superseded extends RuntimeException {
        Superseded() {
            super(null, null, false, false);
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
