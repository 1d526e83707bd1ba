package hl7lake.mllp;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of unfinished frames held across all MLLP connections, against one cap
 * ({@code hl7lake.mllp.max-buffered-bytes}). Each connection's decoder holds what its started frame
 * takes; a connection whose frame would take the total over the cap has that frame shed (its first
 * bytes kept to address the answer, the rest skipped) and answered AR 207 when it ends, so a crowd
 * of large unfinished frames costs at most the cap, never the heap.
 */
final class MllpBuffers {

    private final long cap;
    private final AtomicLong held = new AtomicLong();

    MllpBuffers(long cap) {
        this.cap = cap;
    }

    /** Changes a connection's holding by {@code delta}; false (and no change) when growing would pass the cap. */
    boolean change(long delta) {
        if (delta <= 0) {
            held.addAndGet(delta);
            return true;
        }
        long after = held.addAndGet(delta);
        if (after > cap) {
            held.addAndGet(-delta);
            return false;
        }
        return true;
    }

    /** Changes a connection's holding by {@code delta} whatever the cap (bytes already buffered, or released). */
    void add(long delta) {
        held.addAndGet(delta);
    }

    long held() {
        return held.get();
    }

    long cap() {
        return cap;
    }
}
