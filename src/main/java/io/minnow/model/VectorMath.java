package io.minnow.model;

import io.minnow.tensor.VectorConfig;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Float primitives for attention (keys and values in off-heap segments) and residual adds, vectorized with a scalar tail. */
public final class VectorMath {
    private VectorMath() {}

    private static final VectorSpecies<Float> S = VectorConfig.F_SPECIES;

    /** a[aOff .. aOff+n) · the floats b[bOff .. bOff+n) of a native-order segment (element offsets). */
    public static float dot(float[] a, int aOff, MemorySegment b, long bOff, int n) {
        int i = 0;
        float sum = 0f;
        if (VectorConfig.ENABLED && n >= S.length()) {
            FloatVector acc = FloatVector.zero(S);
            int upper = S.loopBound(n);
            for (; i < upper; i += S.length()) {
                acc = FloatVector.fromArray(S, a, aOff + i)
                        .fma(FloatVector.fromMemorySegment(S, b, 4 * (bOff + i), ByteOrder.nativeOrder()), acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            sum += a[aOff + i] * b.getAtIndex(ValueLayout.JAVA_FLOAT, bOff + i);
        }
        return sum;
    }

    /** y[yOff+i] += alpha * x[xOff+i], i < n, with x the floats of a native-order segment. */
    public static void axpy(float alpha, MemorySegment x, long xOff, float[] y, int yOff, int n) {
        int i = 0;
        if (VectorConfig.ENABLED && n >= S.length()) {
            FloatVector va = FloatVector.broadcast(S, alpha);
            int upper = S.loopBound(n);
            for (; i < upper; i += S.length()) {
                FloatVector.fromMemorySegment(S, x, 4 * (xOff + i), ByteOrder.nativeOrder())
                        .fma(va, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x.getAtIndex(ValueLayout.JAVA_FLOAT, xOff + i);
        }
    }

    /** y[i] += x[i] for n elements. */
    public static void add(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }
}
