package hl7lake.mllp;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the MLLP listener counts, served on /observe/metrics once bound to the registry:
 * {@code hl7lake_mllp_connections} (open now), {@code hl7lake_mllp_connections_refused_total} (over
 * the limit), {@code hl7lake_mllp_junk_bytes_total} (outside any frame),
 * {@code hl7lake_mllp_oversize_total}, {@code hl7lake_mllp_read_timeouts_total},
 * {@code hl7lake_mllp_idle_closed_total}, {@code hl7lake_mllp_idle_evicted_total} (closed to admit a
 * new connection at the limit), {@code hl7lake_mllp_shed_total} (frames skipped and answered AR over
 * the cap on buffered bytes) and {@code hl7lake_mllp_buffered_bytes} (held by unfinished frames now).
 */
public final class MllpStats {

    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder refused = new LongAdder();
    private final LongAdder junkBytes = new LongAdder();
    private final LongAdder oversize = new LongAdder();
    private final LongAdder readTimeouts = new LongAdder();
    private final LongAdder idleClosed = new LongAdder();
    private final LongAdder idleEvicted = new LongAdder();
    private final LongAdder shed = new LongAdder();
    private volatile MllpBuffers buffers;

    public void bind(MeterRegistry registry) {
        Gauge.builder("hl7lake.mllp.connections", open, AtomicInteger::get)
                .description("Open MLLP connections").register(registry);
        counter(registry, "hl7lake.mllp.connections.refused", refused, "MLLP connections refused over the limit");
        counter(registry, "hl7lake.mllp.junk.bytes", junkBytes, "Bytes received outside any MLLP frame, skipped");
        counter(registry, "hl7lake.mllp.oversize", oversize, "MLLP frames over the size limit, answered AR");
        counter(registry, "hl7lake.mllp.read.timeouts", readTimeouts, "Connections closed in the middle of a frame");
        counter(registry, "hl7lake.mllp.idle.closed", idleClosed, "Connections closed after the idle timeout");
        counter(registry, "hl7lake.mllp.idle.evicted", idleEvicted,
                "Idle connections closed to admit a new one at the connection limit");
        counter(registry, "hl7lake.mllp.shed", shed, "MLLP frames skipped over the cap on buffered bytes, answered AR");
        Gauge.builder("hl7lake.mllp.buffered.bytes", this, s -> s.buffers == null ? 0 : s.buffers.held())
                .description("Bytes of unfinished MLLP frames buffered over all connections").register(registry);
    }

    private static void counter(MeterRegistry registry, String name, LongAdder adder, String description) {
        FunctionCounter.builder(name, adder, LongAdder::sum).description(description).register(registry);
    }

    /** One more connection, unless {@code limit} are open: false means refuse it. */
    boolean opened(int limit) {
        if (open.incrementAndGet() > limit) {
            open.decrementAndGet();
            refused.increment();
            return false;
        }
        return true;
    }

    void closed() {
        open.decrementAndGet();
    }

    public int open() {
        return open.get();
    }

    void junkBytes(long count) {
        junkBytes.add(count);
    }

    void oversize() {
        oversize.increment();
    }

    void readTimeout() {
        readTimeouts.increment();
    }

    void idleClosed() {
        idleClosed.increment();
    }

    void idleEvicted() {
        idleEvicted.increment();
    }

    void shed() {
        shed.increment();
    }

    void watch(MllpBuffers buffers) {
        this.buffers = buffers;
    }
}
