package io.minnow.bench;

import io.minnow.gguf.GGUFFile;
import io.minnow.model.Architectures;
import io.minnow.model.Batch;
import io.minnow.model.KVCache;
import io.minnow.model.Model;
import io.minnow.tensor.Parallel;
import io.minnow.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One build's side of {@link SameJvmAB}: loaded by that build's own class loader, so it runs that build's classes.
 * It talks to {@link SameJvmAB} through static methods with JDK types only, called by reflection.
 */
public final class AbRunner {
    private static Model model;
    private static Parallel pool;
    private static KVCache cache;
    private static float[] logits;
    private static List<Tensor> matrices;
    private static float[] x;
    private static float[] out;

    private AbRunner() {}

    /** Loads the model, then runs a 128-token prompt (compiling the batched path too). */
    public static void init(String file, int threads) throws Exception {
        model = Architectures.load(GGUFFile.open(Path.of(file)));
        pool = new Parallel(threads);
        cache = model.newCache(256);
        logits = new float[model.config().nVocab];
        Batch prompt = new Batch(128);
        for (int i = 0; i < 128; i++) prompt.add(i * 7 % 1000, i, cache, i == 127);
        model.forward(pool, prompt, logits);
    }

    /** Nanoseconds of each of {@code n} single-token decode steps at positions 0 .. n-1 (as {@code bench}'s tg). */
    public static long[] decode(int n) {
        Batch one = new Batch(1);
        long[] ns = new long[n];
        for (int i = 0; i < n; i++) {
            one.clear();
            one.add(i % 1000, i, cache, true);
            long t0 = System.nanoTime();
            model.forward(pool, one, logits);
            ns[i] = System.nanoTime() - t0;
        }
        return ns;
    }

    /** {@link #decode} for 2 sequences decoding together (continuous batching), one token each per step. */
    public static long[] decode2(int n) {
        return decodeBatch(2, n);
    }

    /** {@link #decode} for 4 sequences decoding together. */
    public static long[] decode4(int n) {
        return decodeBatch(4, n);
    }

    /** {@link #decode} for 8 sequences decoding together. */
    public static long[] decode8(int n) {
        return decodeBatch(8, n);
    }

    private static KVCache[] caches;
    private static float[] batchLogits;

    private static long[] decodeBatch(int rows, int n) {
        if (caches == null) {
            caches = new KVCache[8];
            for (int i = 0; i < caches.length; i++) caches[i] = model.newCache(256);
            batchLogits = new float[8 * model.config().nVocab];
        }
        Batch batch = new Batch(rows);
        long[] ns = new long[n];
        for (int i = 0; i < n; i++) {
            batch.clear();
            for (int r = 0; r < rows; r++) batch.add((i + 31 * r) % 1000, i, caches[r], true);
            long t0 = System.nanoTime();
            model.forward(pool, batch, batchLogits);
            ns[i] = System.nanoTime() - t0;
        }
        return ns;
    }

    /** Nanoseconds of each of {@code n} passes over every 2-D weight matrix, one activation row each. */
    public static long[] matmuls(int n) {
        if (matrices == null) {
            matrices = new ArrayList<>();
            int widest = 0, tallest = 0;
            for (var t : model.file().tensors().values()) {
                if (t.shape().length == 2 && t.rows() > 1) {
                    Tensor m = Tensor.of(t);
                    matrices.add(m);
                    widest = Math.max(widest, m.cols());
                    tallest = (int) Math.max(tallest, m.rows());
                }
            }
            x = new float[widest];
            for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i);
            out = new float[tallest];
        }
        long[] ns = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            for (Tensor m : matrices) m.matmul(pool, x, 1, out, (int) m.rows());
            ns[i] = System.nanoTime() - t0;
        }
        return ns;
    }
}
