package io.minnow.tensor;

/**
 * A fixed pool of worker threads, started once, that splits a range of rows across all threads (the calling
 * thread takes part). There is no per-call task allocation. The engine owns one and passes it to the kernels.
 */
public final class Parallel implements AutoCloseable {
    /** Work on rows {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private final int threads;

    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        // TODO(tensor helper): start threads - 1 workers
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} on disjoint ranges that together cover {@code [0, n)} and returns when all are done.
     * Ranges are multiples of {@code grain} rows (except the last).
     */
    public void forRange(int n, int grain, RangeBody body) {
        body.run(0, n); // TODO(tensor helper): split across threads
    }

    @Override
    public void close() {
    }
}
