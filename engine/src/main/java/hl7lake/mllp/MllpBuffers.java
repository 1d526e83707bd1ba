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

    /**
     * Grows a connection's holding from {@code from} to {@code to} bytes if the total stays within
     * the cap; otherwise releases all it held ({@code from}) and answers false: its frame is shed.
     * One compare-and-set does either, so the total never passes the cap even for an instant and a
     * refused growth frees its bytes at once — two connections racing for the last room cannot both
     * be refused for the same overflow (only the one that finds no room gives up).
     */
    boolean grow(long from, long to) {
        while (true) {
            long now = held.get();
            boolean fits = now - from + to <= cap;
            if (held.compareAndSet(now, fits ? now - from + to : now - from)) {
                return fits;
            }
        }
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
