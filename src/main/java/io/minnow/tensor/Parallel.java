package io.minnow.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed pool of worker threads, started once, that splits a range of rows across all threads (the calling
 * thread takes part). There is no per-call task allocation. The engine owns one and passes it to the kernels.
 *
 * <p>Workers are daemon threads named {@code minnow-worker-N}. Between calls they spin briefly (a decode step
 * issues many small calls back to back) and then park. Calls from several threads are serialized; a call made
 * from inside a body (or while the pool is busy on the same thread) runs inline on the calling thread. The
 * first exception thrown by a body, on any thread, is rethrown to the caller once all threads have stopped.
 */
public final class Parallel implements AutoCloseable {
    /** Work on rows {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /** Spin iterations before a waiting thread parks (each is one {@link Thread#onSpinWait()}). */
    private static final int SPINS = 1 << 12;

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock lock = new ReentrantLock();

    // The current job; written by the caller before the volatile write of generation, read after it.
    private RangeBody body;
    private int n;
    private int grain;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private volatile Throwable failure;
    private volatile Thread caller;
    private volatile boolean callerParked;
    private volatile long generation;
    private volatile boolean closed;

    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} on disjoint ranges that together cover {@code [0, n)} and returns when all are done.
     * Ranges start at multiples of {@code grain} and are multiples of it long (except the last). They are claimed
     * guided: each is a {@code 1 / (2 * threads)} share of the rows still unclaimed ({@link #chunk}), so the first
     * ones are large (few claims) and the last ones small, which keeps the threads finishing together.
     */
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        if (workers.length == 0 || n <= g || lock.isHeldByCurrentThread() || Thread.currentThread() instanceof Worker w
                && w.pool() == this) {
            body.run(0, n);
            return;
        }
        if (closed) {
            throw new IllegalStateException("Parallel pool is closed");
        }
        lock.lock();
        try {
            this.body = body;
            this.n = n;
            this.grain = g;
            this.failure = null;
            this.caller = Thread.currentThread();
            next.set(0);
            running.set(workers.length);
            generation++; // publishes the job
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w);
                }
            }
            work();
            awaitWorkers();
            this.body = null;
            Throwable t = failure;
            if (t != null) {
                failure = null;
                if (t instanceof RuntimeException re) {
                    throw re;
                }
                if (t instanceof Error e) {
                    throw e;
                }
                throw new IllegalStateException(t);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Claims and runs chunks of the current job until none is left; records the first failure. */
    private void work() {
        RangeBody b = body;
        int total = n;
        int g = grain;
        try {
            for (int start = next.get(); start < total; start = next.get()) {
                int end = start + chunk(total - start, g, threads);
                if (next.compareAndSet(start, end)) {
                    b.run(start, end);
                }
            }
        } catch (Throwable t) {
            if (failure == null) {
                failure = t;
            }
            next.set(total); // the others stop claiming
        }
    }

    /**
     * The size of the next range when {@code left} rows are unclaimed: a {@code 1 / (2 * threads)} share of them in
     * whole grains, at least one grain, at most {@code left}. With fixed chunks of an eighth of a thread's rows, a
     * thread that finished early waited on average half a chunk for the other (and a whole one when the other had
     * just been descheduled). smollm2-135m Q8_0 decode, 2 threads, 2 alternating rounds: 120.5 / 124.5 against
     * 138.2 / 144.4 tokens/s.
     */
    static int chunk(int left, int grain, int threads) {
        return Math.min(left, Math.max(1, left / (2 * threads) / grain) * grain);
    }

    private void awaitWorkers() {
        for (int i = 0; running.get() != 0; i++) {
            if (i < SPINS) {
                Thread.onSpinWait();
            } else {
                callerParked = true;
                if (running.get() != 0) {
                    LockSupport.park(this);
                }
                callerParked = false;
            }
        }
    }

    private void finished() {
        if (running.decrementAndGet() == 0 && callerParked) {
            LockSupport.unpark(caller);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        generation++;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    private final class Worker extends Thread {
        volatile boolean parked;
        /** The last generation this worker has taken part in; read before start so no job can be missed. */
        private long seen;

        Worker(int index) {
            super("minnow-worker-" + index);
            setDaemon(true);
            seen = generation;
        }

        Parallel pool() {
            return Parallel.this;
        }

        @Override
        public void run() {
            while (true) {
                long g;
                for (int i = 0; (g = generation) == seen; i++) {
                    if (i < SPINS) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (generation == seen) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                seen = g;
                if (closed) {
                    return;
                }
                work();
                finished();
            }
        }
    }
}
