package io.minnow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void coversEveryRowExactlyOnce() {
        for (int threads = 1; threads <= 4; threads++) {
            try (Parallel pool = new Parallel(threads)) {
                assertEquals(threads, pool.threads());
                for (int[] c : new int[][] {{1, 1}, {5, 16}, {7, 2}, {100, 3}, {1000, 1}, {1000, 64}, {3, 0}}) {
                    for (int repeat = 0; repeat < 20; repeat++) {
                        int n = c[0], grain = c[1];
                        AtomicIntegerArray hits = new AtomicIntegerArray(n);
                        pool.forRange(n, grain, (start, end) -> {
                            assertTrue(start < end && end <= n);
                            for (int i = start; i < end; i++) {
                                hits.incrementAndGet(i);
                            }
                        });
                        for (int i = 0; i < n; i++) {
                            assertEquals(1, hits.get(i), "n=" + n + " grain=" + grain + " row " + i);
                        }
                    }
                }
                pool.forRange(0, 4, (s, e) -> {
                    throw new AssertionError("called for an empty range");
                });
            }
        }
    }

    @Test
    void usesNamedWorkersAndTheCaller() {
        try (Parallel pool = new Parallel(3)) {
            Set<String> names = ConcurrentHashMap.newKeySet();
            for (int repeat = 0; repeat < 200 && names.size() < 3; repeat++) {
                pool.forRange(64, 1, (s, e) -> {
                    names.add(Thread.currentThread().getName());
                    Thread.onSpinWait();
                });
            }
            assertTrue(names.contains(Thread.currentThread().getName()), names.toString());
            assertTrue(names.stream().allMatch(n -> n.equals(Thread.currentThread().getName())
                    || n.equals("minnow-worker-1") || n.equals("minnow-worker-2")), names.toString());
        }
    }

    @Test
    void propagatesExceptionsAndStaysUsable() {
        try (Parallel pool = new Parallel(3)) {
            IllegalStateException boom = new IllegalStateException("boom");
            for (int repeat = 0; repeat < 20; repeat++) {
                RuntimeException e = assertThrows(RuntimeException.class, () -> pool.forRange(100, 1, (s, end) -> {
                    if (s == 57) {
                        throw boom;
                    }
                }));
                assertSame(boom, e);
            }
            AtomicIntegerArray hits = new AtomicIntegerArray(10);
            pool.forRange(10, 1, (s, e) -> hits.incrementAndGet(s));
            for (int i = 0; i < 10; i++) {
                assertEquals(1, hits.get(i));
            }
        }
    }

    @Test
    void nestedCallsRunInline() {
        try (Parallel pool = new Parallel(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(16 * 16);
            pool.forRange(16, 1, (s, e) -> {
                for (int i = s; i < e; i++) {
                    int outer = i;
                    pool.forRange(16, 1, (s2, e2) -> {
                        for (int j = s2; j < e2; j++) {
                            hits.incrementAndGet(outer * 16 + j);
                        }
                    });
                }
            });
            for (int i = 0; i < 256; i++) {
                assertEquals(1, hits.get(i));
            }
        }
    }

    @Test
    void rejectsZeroThreads() {
        assertThrows(IllegalArgumentException.class, () -> new Parallel(0));
    }
}
