package hl7lake.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The load of the door benchmarks: {@code count} requests over {@code connections} senders, each
 * waiting for its answer before the next, as real senders do; with {@code rate} > 0 the sends are
 * paced to that many per second in all. Times each request and counts its answers.
 */
final class ClosedLoop {

    /** One connection's sender: sends request {@code i}, waits for its answer, returns its code. */
    interface Sender extends AutoCloseable {
        String send(int i) throws Exception;
    }

    /** Opens one connection. */
    interface Connect {
        Sender open() throws Exception;
    }

    /** Times and answer codes of one run. */
    record Run(double rate, long[] nanos, Map<String, Integer> codes) {

        double percentile(int p) {
            return nanos[Math.min(nanos.length - 1, (int) Math.ceil(p / 100.0 * nanos.length) - 1)] / 1e6;
        }
    }

    private ClosedLoop() {
    }

    static Run run(int count, int connections, double rate, Connect connect) throws Exception {
        long[] nanos = new long[count];
        AtomicInteger next = new AtomicInteger();
        Map<String, LongAdder> codes = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        long intervalNanos = rate > 0 ? (long) (1e9 * connections / rate) : 0;
        long start = System.nanoTime();
        List<Future<?>> senders = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            long offset = intervalNanos * c / connections;
            senders.add(pool.submit(() -> {
                try (Sender sender = connect.open()) {
                    long due = start + offset;
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        if (intervalNanos > 0) {
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                            due += intervalNanos;
                        }
                        long t0 = System.nanoTime();
                        String code = sender.send(i);
                        nanos[i] = System.nanoTime() - t0;
                        codes.computeIfAbsent(code, k -> new LongAdder()).increment();
                    }
                }
                return null;
            }));
        }
        try {
            for (Future<?> sender : senders) {
                sender.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(nanos);
        Map<String, Integer> counted = new TreeMap<>();
        codes.forEach((code, n) -> counted.put(code, n.intValue()));
        return new Run(count / seconds, nanos, counted);
    }
}
