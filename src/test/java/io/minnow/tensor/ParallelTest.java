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
                        int g = Math.max(1, grain), poolThreads = threads;
                        pool.forRange(n, grain, (start, end) -> {
                            assertTrue(start < end && end <= n);
                            assertEquals(0, start % g, "n=" + n + " grain=" + grain + ": range starts at " + start);
                            if (poolThreads > 1 && n > g) { // guided: a 1/(2 threads) share of the rows left, whole grains
                                int left = n - start, want = Math.min(left, Math.max(g, left / (2 * poolThreads) / g * g));
                                assertEquals(want, end - start, "n=" + n + " grain=" + grain + " range at " + start);
                            }
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
    void guidedRangesShrinkToOneGrain() {
        assertEquals(250, Parallel.chunk(1000, 1, 2)); // a quarter of what is left with 2 threads
        assertEquals(248, Parallel.chunk(1000, 8, 2)); // in whole grains
        assertEquals(8, Parallel.chunk(20, 8, 2)); // never below one grain
        assertEquals(5, Parallel.chunk(5, 8, 2)); // nor past the end
        assertEquals(125, Parallel.chunk(1000, 1, 4));
        int[] sizes = new int[64];
        int count = 0;
        for (int left = 896; left > 0; left -= sizes[count++]) {
            sizes[count] = Parallel.chunk(left, 14, 2);
        }
        assertEquals(224, sizes[0]);
        assertEquals(14, sizes[count - 1]);
        assertTrue(count < 20, "claims for 896 rows: " + count);
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
                    if (s <= 57 && 57 < end) {
                        throw boom;
                    }
                }));
                assertSame(boom, e);
            }
            AtomicIntegerArray hits = new AtomicIntegerArray(10);
            pool.forRange(10, 1, (s, e) -> {
                for (int i = s; i < e; i++) {
                    hits.incrementAndGet(i);
                }
            });
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
