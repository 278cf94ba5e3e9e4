package io.minnow.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Exponentials over arrays: the softmax weights of attention and of the sampler. */
public final class Exp {
    private Exp() {}

    /**
     * {@code dst[dstOff + i] = exp((src[srcOff + i] - shift) / divisor)} for {@code i < n} (src and dst may be the same
     * array); returns their sum. On the Vector API path the exponential is the JDK's vector {@code exp}, within a few
     * ulps of {@link Math#exp} and many times faster than it element by element.
     */
    public static float shifted(float[] src, int srcOff, float[] dst, int dstOff, int n, float shift, float divisor) {
        int i = 0;
        float sum = 0f;
        if (VectorConfig.ENABLED) {
            VectorSpecies<Float> sp = VectorConfig.F_SPECIES;
            FloatVector acc = FloatVector.zero(sp);
            for (int bound = sp.loopBound(n); i < bound; i += sp.length()) {
                FloatVector e = FloatVector.fromArray(sp, src, srcOff + i).sub(shift).div(divisor).lanewise(VectorOperators.EXP);
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
}
