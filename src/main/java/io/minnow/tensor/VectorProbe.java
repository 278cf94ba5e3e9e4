package io.minnow.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The start-up micro-check of {@link VectorConfig}: times a float dot product on the Vector API against the scalar
 * loop, in rounds, until the vector one wins (the JIT has compiled it with its intrinsics, usually within a few
 * tens of milliseconds) or the time budget is spent (the Vector API is emulated: native image without
 * VectorAPISupport, interpreter, C1 only). Loaded only when the Vector API is present.
 */
final class VectorProbe {
    private VectorProbe() {}

    /** Read while VectorConfig initializes, after it set the species: a constant for the JIT from here on. */
    private static final VectorSpecies<Float> S = VectorConfig.F_SPECIES;
    private static final int N = 512;
    private static final int REPS = 32;
    /** Most time the check may take; it normally stops far earlier. */
    static final long BUDGET_NANOS = Long.getLong("minnow.vector.check-ms", 1000) * 1_000_000L;
    /** A native image has no JIT to wait for: its first rounds are as fast as it gets. */
    private static final boolean NATIVE = "runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"));
    /** The sums go here so the JIT cannot drop the loops. */
    static volatile float sink;

    static VectorConfig.Timing measure() {
        float[] a = new float[N], b = new float[N];
        for (int i = 0; i < N; i++) {
            a[i] = (i % 17) * 0.25f - 2f;
            b[i] = (i % 13) * 0.5f - 3f;
        }
        long bestV = Long.MAX_VALUE, bestS = Long.MAX_VALUE;
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int rounds = 0;
        int maxRounds = NATIVE ? 5 : Integer.MAX_VALUE;
        do {
            rounds++;
            long t0 = System.nanoTime();
            float s = 0;
            for (int r = 0; r < REPS; r++) s += vector(a, b);
            long t1 = System.nanoTime();
            for (int r = 0; r < REPS; r++) s += scalar(a, b);
            long t2 = System.nanoTime();
            sink = s;
            bestV = Math.min(bestV, (t1 - t0) / REPS);
            bestS = Math.min(bestS, (t2 - t1) / REPS);
        } while ((rounds < 3 || bestV >= bestS) && rounds < maxRounds && System.nanoTime() < deadline);
        return new VectorConfig.Timing(bestV, bestS, rounds);
    }

    static float vector(float[] a, float[] b) {
        FloatVector acc = FloatVector.zero(S);
        int upper = S.loopBound(N);
        int i = 0;
        for (; i < upper; i += S.length()) {
            acc = FloatVector.fromArray(S, a, i).fma(FloatVector.fromArray(S, b, i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < N; i++) sum += a[i] * b[i];
        return sum;
    }

    static float scalar(float[] a, float[] b) {
        float sum = 0;
        for (int i = 0; i < N; i++) sum += a[i] * b[i];
        return sum;
    }
}
