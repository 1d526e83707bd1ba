package hl7lake.mllp;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What counts as traffic on one MLLP connection, for the idle timeout and for eviction: a frame
 * received whole, a frame in progress, a reply still owed. Bytes outside any frame do not count, so a
 * trickle of junk does not keep a connection open. Written on the connection's event loop, read from
 * others (admission), hence volatile.
 */
final class MllpActivity {

    private static final AttributeKey<MllpActivity> KEY = AttributeKey.valueOf("hl7lake.mllp.activity");

    private volatile long lastNanos = System.nanoTime();
    private volatile boolean inFrame;

    static MllpActivity of(Channel channel) {
        MllpActivity activity = channel.attr(KEY).get();
        if (activity == null) {
            MllpActivity fresh = new MllpActivity();
            activity = channel.attr(KEY).setIfAbsent(fresh);
            if (activity == null) {
                activity = fresh;
            }
        }
        return activity;
    }

    void frameStarted() {
        inFrame = true;
    }

    void frameEnded() {
        inFrame = false;
        lastNanos = System.nanoTime();
    }

    /** In the middle of a frame, or a reply to a frame received is not written yet. */
    boolean busy(Channel channel) {
        AtomicInteger pending = channel.attr(MllpConnections.PENDING).get();
        return inFrame || (pending != null && pending.get() > 0);
    }

    /** How long the connection has been idle at {@code now} (0 while it is busy: that counts as traffic). */
    long idleNanos(Channel channel, long now) {
        if (busy(channel)) {
            lastNanos = now;
            return 0;
        }
        return now - lastNanos;
    }
}
