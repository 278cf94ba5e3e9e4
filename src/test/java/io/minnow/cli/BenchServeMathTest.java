package io.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The figures {@code bench-serve} reports, on hand-made request traces (times in nanoseconds). */
class BenchServeMathTest {
    private static final long MS = 1_000_000L;

    /** A request sent at 0 whose first token came after {@code ttft} ms and the rest every {@code step} ms. */
    private static BenchServeCommand.Trace trace(long ttft, long step, int tokens) {
        List<Long> chunks = new java.util.ArrayList<>();
        for (int i = 0; i < tokens; i++) chunks.add((ttft + i * step) * MS);
        return new BenchServeCommand.Trace(0, chunks);
    }

    @Test
    void decodeRateLeavesOutThePromptAndCountsEveryClient() {
        // one client: 100 ms per token after a 1 s prompt -> 10 tokens/s, whatever the prompt took
        assertEquals(10.0, BenchServeCommand.decodeRate(List.of(trace(1000, 100, 11)), 1), 1e-9);
        assertEquals(10.0, BenchServeCommand.decodeRate(List.of(trace(5, 100, 11)), 1), 1e-9);
        // four clients, two requests each, 160 ms per token -> 4 / 0.16 = 25 tokens/s
        List<BenchServeCommand.Trace> four = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) four.add(trace(700, 160, 64));
        assertEquals(25.0, BenchServeCommand.decodeRate(four, 4), 1e-9);
        // weighted by tokens: 10 steps of 100 ms and 30 of 200 ms -> 40 tokens in 7 s
        assertEquals(2 * 40 / 7.0, BenchServeCommand.decodeRate(List.of(trace(0, 100, 11), trace(0, 200, 31)), 2), 1e-9);
        // a request with one token has no decoding step
        assertTrue(Double.isNaN(BenchServeCommand.decodeRate(List.of(trace(50, 0, 1)), 1)));
    }

    @Test
    void percentilesAreNearestRank() {
        double[] v = new double[100];
        for (int i = 0; i < v.length; i++) v[i] = i + 1;
        assertEquals(50, BenchServeCommand.percentile(v, 0.50));
        assertEquals(99, BenchServeCommand.percentile(v, 0.99));
        assertEquals(100, BenchServeCommand.percentile(v, 1.0));
        assertEquals(7, BenchServeCommand.percentile(new double[] {7}, 0.99));
        assertTrue(Double.isNaN(BenchServeCommand.percentile(new double[0], 0.5)));
    }

    @Test
    void httpVersionIsOneOneUnlessAskedForTwo() {
        assertEquals(HttpClient.Version.HTTP_1_1, BenchServeCommand.httpVersion("1.1"));
        assertEquals(HttpClient.Version.HTTP_2, BenchServeCommand.httpVersion("2"));
        Args.UsageException e = assertThrows(Args.UsageException.class, () -> BenchServeCommand.httpVersion("3"));
        assertTrue(e.getMessage().contains("--http must be 1.1 or 2"), e.getMessage());
    }
}
