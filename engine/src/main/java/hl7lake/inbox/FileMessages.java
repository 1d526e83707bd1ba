package hl7lake.inbox;

import hl7lake.hl7.BatchSummary;
import hl7lake.hl7.Er7StreamSplitter;
import hl7lake.hl7.SplitMessage;
import software.amazon.awssdk.core.ResponseInputStream;

import java.io.Closeable;
import java.time.Clock;
import java.util.Iterator;
import java.util.function.BooleanSupplier;

/**
 * The messages of an archived drop file, read as a stream (the split's expression in the route
 * {@code drop-file}): one message in memory at a time per worker, whatever the file's size. While it
 * is read, the file's claim is renewed; the messages end early when the engine stops or another
 * instance took the file over (its lease ran out), and the file is then given back, not finished.
 */
final class FileMessages implements Iterator<SplitMessage>, Closeable {

    private final ResponseInputStream<?> in;
    private final Er7StreamSplitter splitter;
    private final DropFile file;
    private final FileClaims claims;
    private final Clock clock;
    private final BooleanSupplier stopping;
    private final long renewEvery;
    private long renewed;
    private volatile int read;
    private boolean exhausted;
    private boolean closed;

    FileMessages(ResponseInputStream<?> in, int maxMessageBytes, DropFile file, FileClaims claims, Clock clock,
                 BooleanSupplier stopping) {
        this.in = in;
        this.splitter = new Er7StreamSplitter(in, maxMessageBytes);
        this.file = file;
        this.claims = claims;
        this.clock = clock;
        this.stopping = stopping;
        this.renewEvery = Math.min(10_000L, claims.lease().toMillis() / 3);
        this.renewed = clock.millis();
    }

    @Override
    public boolean hasNext() {
        if (file.stopped() != null) {
            return false;
        }
        if (stopping.getAsBoolean()) {
            file.stop("the engine is stopping");
            return false;
        }
        if (clock.millis() - renewed > renewEvery) {
            if (!claims.renew(file.claim())) {
                file.stop("another instance took the file over");
                return false;
            }
            renewed = clock.millis();
        }
        boolean more = splitter.hasNext();
        exhausted = !more;
        return more;
    }

    @Override
    public SplitMessage next() {
        SplitMessage message = splitter.next();
        read++; // one reader at a time (the split); others only look
        return message;
    }

    /** Messages read from the file so far. */
    int read() {
        return read;
    }

    /** The batch envelope, complete once every message was read. */
    BatchSummary summary() {
        return splitter.summary();
    }

    /** Closes the stream; one not read to its end is aborted (closing would read the rest of a large file first). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!exhausted) {
            in.abort();
        }
        try {
            in.close();
        } catch (java.io.IOException ignored) {
            // the connection is gone either way
        }
    }
}
