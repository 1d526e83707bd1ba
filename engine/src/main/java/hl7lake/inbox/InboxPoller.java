package hl7lake.inbox;

import hl7lake.catalog.MessageIndex;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The S3 drop folder (docs/architecture.md §2): each poll lists the inbox prefix and works through the
 * files this instance can claim, one file at a time, its messages in parallel. Any number of
 * instances may poll the same inbox; the claims decide who takes which file.
 *
 * <p>Camel's aws2-s3 consumer is not used: exactly once per file version across instances and
 * restarts needs the claims anyway, and its delete-or-move on commit follows whatever key header the
 * route leaves behind, re-polling a rolled-back file forever (docs/decisions.md).
 */
public final class InboxPoller implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InboxPoller.class);

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final FileClaims claims;
    private final FileIngestion ingestion;
    private final ExecutorService workers;
    private final String owner = "engine-" + UUID.randomUUID();
    private ProducerTemplate pipeline;

    public InboxPoller(S3Client s3, String bucket, String prefix, FileClaims claims, MessageIndex index,
                       int parallelism, int maxMessageBytes, Clock clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.claims = claims;
        this.workers = Executors.newFixedThreadPool(parallelism, runnable -> {
            Thread thread = new Thread(runnable, "inbox-worker");
            thread.setDaemon(true);
            return thread;
        });
        this.ingestion = new FileIngestion(s3, bucket, index, claims, workers, parallelism, maxMessageBytes, clock);
    }

    /** One poll; called by the route {@code s3-inbox}. */
    public void poll(Exchange exchange) {
        if (pipeline == null) {
            pipeline = exchange.getContext().createProducerTemplate();
        }
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
            if (object.key().endsWith("/") || !exchange.getContext().isStarted()) {
                continue;
            }
            String etag = object.eTag().replace("\"", "");
            if (claims.done(object.key(), etag)) {
                // this version was finished earlier, but the instance stopped before it left the inbox
                String left = FileIngestion.removeFromInbox(s3, bucket, object.key(), etag, null);
                LOG.info("inbox file {} was ingested before (the same version); {}", FileClaims.reference(object.key()), left);
                continue;
            }
            claims.take(object.key(), etag, owner).ifPresent(claim -> work(claim, object, exchange));
        }
    }

    private void work(FileClaim claim, S3Object object, Exchange exchange) {
        String name = object.key().substring(prefix.length());
        try {
            var context = exchange.getContext();
            switch (ingestion.ingest(claim, object.key(), name, pipeline, () -> context.isStopping() || !context.isStarted())) {
                case RETRY -> claims.release(claim);
                case YIELDED, SUPERSEDED -> claims.yieldFile(claim);
                default -> { }
            }
        } catch (Exception e) {
            LOG.warn("file {}: {}; it stays in the inbox and is tried again after a back-off", claim.fileId(),
                    e.getClass().getSimpleName());
            claims.release(claim);
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
