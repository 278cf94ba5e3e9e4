package io.minnow.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Exponentials over arrays: the softmax weights of attention and of the sampler. */
public final class Exp {
    private Exp() {}

    /**
     * {@code dst[dstOff + i] = exp((src[srcOff + i] - shift) / divisor)} for {@code i < n} (src and dst may be the same
     * array); returns their sum. The Vector API path computes the exponential itself, within 2 ulps of
     * {@link Math#exp} (exp(x) = 2^k e^r with k = round(x / ln 2), |r| <= ln 2 / 2, and e^r from Cephes' degree-6
     * polynomial), from plain arithmetic only. The JDK's vector {@code exp} calls a library stub that C2 did not
     * intrinsify inside attention's per-head loop in the server: every call then ran the Java fallback, which
     * boxes each vector (500 MB of garbage in 30 s of decoding) and, in a loop before C2 compiles it, takes
     * 1,040 ns per 128 elements against 41 ns compiled.
     */
    public static float shifted(float[] src, int srcOff, float[] dst, int dstOff, int n, float shift, float divisor) {
        int i = 0;
        float sum = 0f;
        if (VectorConfig.ENABLED) {
            VectorSpecies<Float> sp = VectorConfig.F_SPECIES;
            FloatVector acc = FloatVector.zero(sp);
            FloatVector p2 = FloatVector.broadcast(sp, P2), p3 = FloatVector.broadcast(sp, P3);
            FloatVector p4 = FloatVector.broadcast(sp, P4), p5 = FloatVector.broadcast(sp, P5);
            for (int bound = sp.loopBound(n); i < bound; i += sp.length()) {
                FloatVector x = FloatVector.fromArray(sp, src, srcOff + i).sub(shift).div(divisor);
                // k = round(x / ln 2): adding 1.5 * 2^23 leaves the rounded integer in the low mantissa bits
                FloatVector xc = x.max(LOW).min(HIGH);
                FloatVector t = xc.fma(LOG2E, ROUNDER);
                FloatVector k = t.sub(ROUNDER);
                FloatVector r = xc.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO)); // k * LN2_HI is exact
                FloatVector p = r.fma(P0, P1).fma(r, p2).fma(r, p3).fma(r, p4).fma(r, p5);
                FloatVector er = r.mul(r).fma(p, r).add(1f);
                // times 2^k: add k to the exponent field
                IntVector bits = t.reinterpretAsInts().sub(ROUNDER_BITS).lanewise(VectorOperators.LSHL, 23);
                FloatVector e = er.reinterpretAsInts().add(bits).reinterpretAsFloats()
                        .blend(0, x.compare(VectorOperators.LT, LOW)) // underflow (and -infinity) to 0
                        .blend(x, x.test(VectorOperators.IS_NAN));
                e.intoArray(dst, dstOff + i);
                acc = acc.add(e);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float e = (float) Math.exp((src[srcOff + i] - shift) / divisor);
            dst[dstOff + i] = e;
            sum += e;
        }
        return sum;
    }

    /**
     * Below LOW, exp(x) is under the smallest normal float and is taken as 0. Inputs above HIGH are taken as HIGH
     * (exp(88) = 1.65e38; a softmax shifted by its maximum never gets there).
     */
    private static final float LOW = -87.33654f;
    private static final float HIGH = 88f;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float ROUNDER = 12582912f; // 1.5 * 2^23
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    /** ln 2 split so that k * LN2_HI is exact for |k| < 2^9. */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** Cephes expf: e^r = 1 + r + r^2 (P5 + r (P4 + r (P3 + r (P2 + r (P1 + r P0))))). */
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;
}
