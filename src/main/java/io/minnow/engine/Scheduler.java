package io.minnow.engine;

import io.minnow.model.Batch;
import io.minnow.model.Model;
import io.minnow.sampling.Sampler;
import io.minnow.tensor.Parallel;
import io.minnow.tokenizer.Tokenizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Continuous batching on one thread. Every step it admits waiting requests into free slots (first in, first
 * out), builds one batch with the next token of every decoding sequence and prompt chunks of new ones, runs the
 * model once over it, samples, and retires finished or cancelled sequences. The model is the executor: the
 * scheduler only talks to it through {@link Model#forward}.
 */
final class Scheduler implements Runnable {
    private final Model model;
    private final Tokenizer tokenizer;
    private final Parallel pool;
    private final KVPool kv;
    private final EngineOptions options;
    private final EngineObserver observer;
    private final int vocab;
    private final int maxLogitRows;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<?>> jobs = new ArrayDeque<>();
    private final ArrayDeque<Callable<?>> jobBodies = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private volatile boolean stopping;
    private volatile int runningCount;
    private volatile int waitingCount;
    /** When the last request was submitted (guarded by lock). */
    private long lastArrivalNanos;

    private final Batch batch;
    /** owner sequence of each batch entry. [batchTokens] */
    private final Sequence[] owners;
    /** logits of the batch entries that want them. [maxLogitRows][vocab] */
    private final float[] logits;
    /** log-softmax scratch. [vocab] */
    private final float[] logprobScratch;
    /** the token sampled from each logit row of the last pass. [maxLogitRows] */
    private final int[] sampled;
    /** a logit row before sampling, for requests that want log-probabilities. [maxLogitRows][vocab] */
    private final float[][] rawLogits;
    /** logit rows to sample and their sequences. [maxLogitRows] */
    private final int[] sampleRows;
    private final Sequence[] sampleOwners;

    Scheduler(Model model, Tokenizer tokenizer, Parallel pool, KVPool kv, EngineOptions options, EngineObserver observer) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.pool = pool;
        this.kv = kv;
        this.options = options;
        this.observer = observer;
        this.vocab = model.config().nVocab;
        this.maxLogitRows = Math.min(options.batchTokens(), kv.size() + 32);
        this.batch = new Batch(options.batchTokens());
        this.owners = new Sequence[options.batchTokens()];
        this.logits = new float[maxLogitRows * vocab];
        this.logprobScratch = new float[vocab];
        this.sampled = new int[maxLogitRows];
        this.rawLogits = new float[maxLogitRows][];
        this.sampleRows = new int[maxLogitRows];
        this.sampleOwners = new Sequence[maxLogitRows];
    }

    // ---- called from other threads ------------------------------------------------------------------------

    void submit(Sequence s) {
        lock.lock();
        try {
            if (stopping) {
                throw new EngineException(EngineException.Kind.UNAVAILABLE, "the engine is shutting down");
            }
            if (waiting.size() >= options.maxQueue() && !(waiting.isEmpty() && kv.hasFree())) {
                observer.requestRejected("queue_full");
                throw new EngineException(EngineException.Kind.OVERLOADED,
                        "the server is overloaded: " + waiting.size() + " requests are already waiting");
            }
            waiting.add(s);
            lastArrivalNanos = System.nanoTime();
            waitingCount = waiting.size();
            observer.requestQueued();
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code body} on the scheduler thread between two steps (the model is not reentrant). */
    <T> CompletableFuture<T> runExclusive(Callable<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        lock.lock();
        try {
            if (stopping) {
                f.completeExceptionally(new EngineException(EngineException.Kind.UNAVAILABLE, "the engine is shutting down"));
                return f;
            }
            jobs.add(f);
            jobBodies.add(body);
            wake.signal();
        } finally {
            lock.unlock();
        }
        return f;
    }

    void stop() {
        lock.lock();
        try {
            stopping = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    int running() {
        return runningCount;
    }

    int waiting() {
        return waitingCount;
    }

    // ---- the loop -----------------------------------------------------------------------------------------

    @Override
    public void run() {
        try {
            while (true) {
                if (!admit()) {
                    break;
                }
                if (running.isEmpty()) {
                    continue;
                }
                try {
                    step();
                } catch (RuntimeException | Error e) {
                    observer.warn("forward pass failed; failing its " + running.size() + " sequences", e);
                    RuntimeException re = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                    for (Sequence s : new ArrayList<>(running)) {
                        fail(s, re);
                    }
                }
            }
        } finally {
            shutdown();
        }
    }

    /** Runs queued jobs, expires and admits waiting requests; blocks while there is nothing to do. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private boolean admit() {
        List<Sequence> toStart = new ArrayList<>();
        List<Sequence> expired = new ArrayList<>();
        Callable<?> job = null;
        CompletableFuture fut = null;
        lock.lock();
        try {
            while (!stopping && running.isEmpty() && waiting.isEmpty() && jobs.isEmpty()) {
                wake.awaitUninterruptibly();
            }
            if (stopping) {
                return false;
            }
            if (running.isEmpty()) {
                gather();
            }
            if (!jobs.isEmpty()) {
                fut = jobs.poll();
                job = jobBodies.poll();
            }
            long now = System.nanoTime();
            long timeout = options.queueTimeout().toNanos();
            for (Iterator<Sequence> it = waiting.iterator(); it.hasNext(); ) {
                Sequence s = it.next();
                if (s.cancelled || timeout > 0 && now - s.enqueuedNanos > timeout) {
                    it.remove();
                    expired.add(s);
                }
            }
            while (!waiting.isEmpty()) {
                Sequence s = waiting.peek();
                KVPool.Lease lease = kv.acquire(s.request.prompt(), s.request.sessionId(), !s.request.promptLogprobs());
                if (lease == null) {
                    break;
                }
                waiting.poll();
                s.slot = lease.slot();
                s.cached = lease.reused();
                toStart.add(s);
            }
            waitingCount = waiting.size();
            if (!waiting.isEmpty() && running.isEmpty() && toStart.isEmpty() && jobs.isEmpty()) {
                wake.awaitNanos(TimeUnit.MILLISECONDS.toNanos(20)); // only expiry can change things
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
        if (job != null) {
            try {
                fut.complete(job.call());
            } catch (Throwable t) {
                fut.completeExceptionally(t);
            }
        }
        for (Sequence s : expired) {
            if (s.cancelled) {
                finishUnstarted(s, FinishReason.CANCELLED);
            } else {
                observer.requestRejected("queue_timeout");
                safely(() -> s.listener.onError(new EngineException(EngineException.Kind.QUEUE_TIMEOUT,
                        "the request waited longer than " + options.queueTimeout().toSeconds() + " s for a free slot")));
            }
        }
        long now = System.nanoTime();
        for (Sequence s : toStart) {
            s.startedNanos = now;
            observer.prefixLookup(s.promptLength(), s.cached);
            observer.requestStarted(now - s.enqueuedNanos, s.promptLength(), s.cached);
            safely(() -> s.listener.onStart(s.promptLength(), s.cached));
            running.add(s);
        }
        runningCount = running.size();
        return true;
    }

    /**
     * At an idle engine, lets a burst of requests finish arriving before the first pass, so that their prompts share
     * it: waits until none has arrived for the batch window (at most {@link EngineOptions#BATCH_WINDOW_LIMIT} windows
     * after the first), or until the waiting requests fill the slots. Without it the first request of a burst would
     * start alone, and its second token would wait for all the others' prompts. Called with the lock held.
     */
    private void gather() throws InterruptedException {
        long window = options.batchWindow().toNanos();
        if (window == 0 || waiting.isEmpty()) {
            return;
        }
        long limit = waiting.peek().enqueuedNanos + EngineOptions.BATCH_WINDOW_LIMIT * window;
        while (!stopping && jobs.isEmpty() && waiting.size() < kv.size()) {
            long wait = Math.min(lastArrivalNanos + window, limit) - System.nanoTime();
            if (wait <= 0) {
                break;
            }
            wake.awaitNanos(wait);
        }
    }

    private void step() {
        // retire cancelled sequences before spending a pass on them
        for (Sequence s : new ArrayList<>(running)) {
            if (s.cancelled) {
                finish(s, FinishReason.CANCELLED, false);
            }
        }
        if (running.isEmpty()) {
            return;
        }
        batch.clear();
        int rows = 0;
        // decoding sequences first: one token each
        for (Sequence s : running) {
            if (s.pending >= 0 && batch.size() < batch.capacity() && rows < maxLogitRows) {
                int token = s.pending;
                s.pending = -1;
                addToken(s, token, true);
                rows++;
            }
        }
        // then prompt chunks, in arrival order
        for (Sequence s : running) {
            if (!s.prefilling()) continue;
            int room = batch.capacity() - batch.size();
            if (room <= 0 || rows >= maxLogitRows) break;
            int from = s.slot.length;
            int n = Math.min(s.promptLength() - from, room);
            if (s.request.promptLogprobs()) {
                n = Math.min(n, maxLogitRows - rows);
            }
            for (int i = 0; i < n; i++) {
                int p = from + i;
                boolean want = p == s.promptLength() - 1 || s.request.promptLogprobs();
                addToken(s, s.request.prompt()[p], want);
                if (want) rows++;
            }
        }
        if (batch.size() == 0) {
            return;
        }
        long t0 = System.nanoTime();
        model.forward(pool, batch, logits);
        long t1 = System.nanoTime();
        int seqs = 0;
        Sequence last = null;
        for (int i = 0; i < batch.size(); i++) {
            if (owners[i] != last) seqs++;
            last = owners[i];
        }
        observer.step(batch.size(), seqs, t1 - t0);
        sampleAll();
        // consume the logits in batch order
        int row = 0;
        for (int i = 0; i < batch.size(); i++) {
            Sequence s = owners[i];
            owners[i] = null;
            if (!batch.wantLogits[i]) continue;
            int off = row * vocab;
            row++;
            if (s.slot == null) continue; // already finished in this step
            int pos = batch.positions[i];
            if (pos < s.promptLength() - 1) {
                recordPromptLogprob(s, off, s.request.prompt()[pos + 1]);
                continue;
            }
            if (pos == s.promptLength() - 1) {
                if (s.promptLogprobs != null) {
                    safely(() -> s.listener.onPromptLogprobs(s.promptLogprobs));
                }
                observer.promptProcessed(s.promptLength() - s.cached, t1 - s.startedNanos);
                if (s.request.maxTokens() == 0) {
                    finish(s, FinishReason.LENGTH, true);
                    continue;
                }
            }
            sampleNext(s, off, row - 1, t1);
        }
        runningCount = running.size();
    }

    /**
     * Samples the next token of every sequence that gets one from this pass, the logit rows split across the
     * pool: each sequence has its own sampler, and at 8 rows of a 152k vocabulary the rows took 1.3 ms on one
     * thread. Results go to {@link #sampled} (and the logits before sampling to {@link #rawLogits} when the
     * request wants log-probabilities).
     */
    private void sampleAll() {
        int n = 0;
        for (int i = 0, row = 0; i < batch.size(); i++) {
            if (!batch.wantLogits[i]) continue;
            Sequence s = owners[i];
            int pos = batch.positions[i];
            boolean next = pos > s.promptLength() - 1 || pos == s.promptLength() - 1 && s.request.maxTokens() > 0;
            if (s.slot != null && next) {
                sampleRows[n] = row;
                sampleOwners[n] = s;
                n++;
            }
            row++;
        }
        if (n == 1) {
            sampleRow(0);
        } else if (n > 1) {
            pool.forRange(n, 1, (from, to) -> {
                for (int k = from; k < to; k++) sampleRow(k);
            });
        }
        for (int k = 0; k < n; k++) sampleOwners[k] = null;
    }

    private void sampleRow(int k) {
        Sequence s = sampleOwners[k];
        int row = sampleRows[k], off = row * vocab;
        rawLogits[row] = s.request.topLogprobs() >= 0 ? Arrays.copyOfRange(logits, off, off + vocab) : null;
        sampled[row] = s.sampler.sample(logits, off, vocab, s.history, s.historyLength);
    }

    private void addToken(Sequence s, int token, boolean wantLogits) {
        int pos = s.slot.length;
        owners[batch.size()] = s;
        batch.add(token, pos, s.slot.cache, wantLogits);
        s.slot.tokens[pos] = token;
        s.slot.length = pos + 1;
    }

    private void recordPromptLogprob(Sequence s, int off, int next) {
        if (s.promptLogprobs == null) return;
        s.promptLogprobs.add(logprobOf(off, next, Math.max(s.request.topLogprobs(), 0)));
    }

    private TokenLogprob logprobOf(int off, int token, int top) {
        Sampler.logSoftmax(logits, off, vocab, logprobScratch);
        List<TokenLogprob.Alternative> alts = new ArrayList<>(top);
        if (top > 0) {
            int[] best = new int[top];
            Arrays.fill(best, -1);
            for (int v = 0; v < vocab; v++) {
                float lp = logprobScratch[v];
                int j = top - 1;
                if (best[j] >= 0 && logprobScratch[best[j]] >= lp) continue;
                while (j > 0 && (best[j - 1] < 0 || logprobScratch[best[j - 1]] < lp)) {
                    best[j] = best[j - 1];
                    j--;
                }
                best[j] = v;
            }
            for (int b : best) if (b >= 0) alts.add(new TokenLogprob.Alternative(b, logprobScratch[b]));
        }
        return new TokenLogprob(token, logprobScratch[token], alts);
    }

    private void sampleNext(Sequence s, int off, int row, long now) {
        GenerationRequest r = s.request;
        float[] raw = rawLogits[row];
        rawLogits[row] = null;
        int token = sampled[row];
        TokenLogprob lp = null;
        if (raw != null) {
            System.arraycopy(raw, 0, logits, off, vocab);
            lp = logprobOf(off, token, r.topLogprobs());
        }
        s.generated++;
        if (s.historyLength < s.history.length) {
            s.history[s.historyLength++] = token;
        }
        if (s.generated == 1) {
            observer.firstToken(now - s.enqueuedNanos);
        } else {
            observer.tokenGenerated(now - s.lastTokenNanos);
        }
        s.lastTokenNanos = now;
        if (!r.ignoreEos() && tokenizer.endOfGeneration().contains(token)) {
            finish(s, FinishReason.STOP, true);
            return;
        }
        String text = s.text.append(tokenizer.tokenBytes(token));
        TokenLogprob fLp = lp;
        safely(() -> s.listener.onToken(token, text, fLp));
        if (s.text.stopped()) {
            finish(s, FinishReason.STOP, true);
        } else if (s.generated >= r.maxTokens() || s.slot.length >= kv.capacity()) {
            finish(s, FinishReason.LENGTH, true);
        } else {
            s.pending = token;
        }
    }

    private void finish(Sequence s, FinishReason reason, boolean keepCache) {
        running.remove(s);
        runningCount = running.size();
        kv.release(s.slot, keepCache);
        s.slot = null;
        long now = System.nanoTime();
        observer.requestFinished(reason, s.promptLength(), s.generated, now - s.enqueuedNanos);
        String tail = reason == FinishReason.CANCELLED ? "" : s.text.flush();
        var usage = new GenerationListener.Usage(s.promptLength(), s.generated, s.cached);
        safely(() -> s.listener.onFinish(reason, tail, usage));
    }

    private void finishUnstarted(Sequence s, FinishReason reason) {
        observer.requestFinished(reason, s.promptLength(), 0, System.nanoTime() - s.enqueuedNanos);
        safely(() -> s.listener.onFinish(reason, "", new GenerationListener.Usage(s.promptLength(), 0, 0)));
    }

    private void fail(Sequence s, RuntimeException e) {
        running.remove(s);
        runningCount = running.size();
        if (s.slot != null) {
            kv.release(s.slot, false);
            s.slot = null;
        }
        observer.requestFinished(FinishReason.ERROR, s.promptLength(), s.generated, System.nanoTime() - s.enqueuedNanos);
        safely(() -> s.listener.onError(e));
    }

    private void shutdown() {
        List<Sequence> all;
        lock.lock();
        try {
            stopping = true;
            all = new ArrayList<>(running);
            all.addAll(waiting);
            waiting.clear();
            waitingCount = 0;
            for (CompletableFuture<?> f : jobs) {
                f.completeExceptionally(new EngineException(EngineException.Kind.UNAVAILABLE, "the engine is shutting down"));
            }
            jobs.clear();
            jobBodies.clear();
        } finally {
            lock.unlock();
        }
        EngineException down = new EngineException(EngineException.Kind.UNAVAILABLE, "the engine is shutting down");
        for (Sequence s : all) {
            if (s.slot != null) kv.release(s.slot, false);
            s.slot = null;
            safely(() -> s.listener.onError(down));
        }
        running.clear();
        runningCount = 0;
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            observer.warn("a generation listener failed", e);
        }
    }
}
