package hl7lake.mllp;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

/**
 * The cap on bytes of unfinished frames shared by all MLLP connections: a refused growth releases
 * the connection's bytes in the same step, so one overflow sheds one frame, never two, and the total
 * is never over the cap, not even for an instant.
 */
class MllpBuffersTest {

    @Test
    void the_connection_that_finds_no_room_gives_up_its_bytes_and_the_other_finishes() {
        MllpBuffers buffers = new MllpBuffers(4);
        assertThat(buffers.grow(0, 2)).isTrue();  // A
        assertThat(buffers.grow(0, 2)).isTrue();  // B: the cap is full
        assertThat(buffers.grow(2, 4)).isFalse(); // A would pass it: A is shed and holds nothing
        assertThat(buffers.held()).isEqualTo(2);
        assertThat(buffers.grow(2, 4)).isTrue();  // B now fits
        assertThat(buffers.held()).isEqualTo(4);
    }

    /**
     * Three connections growing their buffers at once as Netty does (doubling up to the frame's
     * size), against a cap: whatever the interleaving, the total is never seen over the cap, what is
     * held at the end is exactly what the finished frames hold, and when each frame alone fits the
     * cap at least one of them finishes (a refusal needs another connection still holding bytes).
     */
    @Test
    void racing_connections_never_pass_the_cap_and_one_overflow_sheds_one_frame() {
        qt().withExamples(300).forAll(integers().between(1, 64), integers().between(1, 64),
                integers().between(1, 64), integers().between(8, 160)).checkAssert((a, b, c, cap) -> {
            MllpBuffers buffers = new MllpBuffers(cap);
            int[] sizes = {a, b, c};
            long[] kept = new long[sizes.length];
            CountDownLatch go = new CountDownLatch(1);
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong highest = new AtomicLong();
            Thread watcher = new Thread(() -> {
                while (running.get()) {
                    highest.accumulateAndGet(buffers.held(), Math::max);
                }
            });
            watcher.start();
            List<Thread> connections = new ArrayList<>();
            for (int i = 0; i < sizes.length; i++) {
                int index = i;
                Thread connection = new Thread(() -> {
                    awaitQuietly(go);
                    long held = 0;
                    for (long capacity = 1; ; capacity <<= 1) {
                        if (!buffers.grow(held, capacity)) {
                            held = 0;
                            break;
                        }
                        held = capacity;
                        if (capacity >= sizes[index]) {
                            break;
                        }
                    }
                    kept[index] = held;
                });
                connections.add(connection);
                connection.start();
            }
            go.countDown();
            for (Thread connection : connections) {
                joinQuietly(connection);
            }
            running.set(false);
            joinQuietly(watcher);
            assertThat(highest.get()).isLessThanOrEqualTo(cap);
            assertThat(buffers.held()).isEqualTo(kept[0] + kept[1] + kept[2]);
            boolean eachFitsAlone = true;
            for (int size : sizes) {
                eachFitsAlone &= Long.highestOneBit(size - 1L) * 2 <= cap; // its last capacity
            }
            if (eachFitsAlone) {
                assertThat(kept[0] + kept[1] + kept[2]).as("bytes held by finished frames").isPositive();
            }
        });
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
