package io.minnow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Exp#shifted} against {@link Math#exp} element by element. */
class ExpTest {
    @Test
    void shiftedExpMatchesMathExp() {
        Random rnd = new Random(3);
        for (int n : new int[] {1, 7, 16, 33, 1000}) {
            float[] src = new float[n + 5];
            for (int i = 0; i < src.length; i++) src[i] = (float) (rnd.nextGaussian() * 8);
            src[2] = -200f; // underflows to 0
            float shift = 3.5f, divisor = 0.7f;
            float[] dst = new float[n + 2];
            float sum = Exp.shifted(src, 2, dst, 1, n, shift, divisor);
            double want = 0;
            for (int i = 0; i < n; i++) {
                float e = (float) Math.exp((src[2 + i] - shift) / divisor);
                want += e;
                assertEquals(e, dst[1 + i], Math.max(1e-6f * e, Float.MIN_NORMAL), "n " + n + " i " + i);
            }
            assertEquals(0f, dst[0]);
            assertEquals(0f, dst[n + 1]);
            assertEquals(want, sum, 1e-5 * want, "sum, n " + n);
            // in place, as attention uses it
            float[] same = src.clone();
            float inPlace = Exp.shifted(same, 2, same, 2, n, shift, divisor);
            assertEquals(sum, inPlace, 1e-6f * sum);
            for (int i = 0; i < n; i++) assertEquals(dst[1 + i], same[2 + i]);
        }
    }

    @Test
    void theVectorExponentialIsWithinTwoUlpsOverTheWholeRange() {
        int n = 20_000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -87f + 175f * i / n; // -87 .. 88
        float[] e = new float[n];
        Exp.shifted(x, 0, e, 0, n, 0f, 1f);
        for (int i = 0; i < n; i++) {
            float want = (float) Math.exp(x[i]);
            assertEquals(want, e[i], 2 * Math.ulp(want), "exp(" + x[i] + ")");
        }
        float[] edge = {Float.NEGATIVE_INFINITY, -1000f, -87.5f, Float.NaN, 0f, -0f, 1f, -1f, 3f, 5f, 7f, 9f, 11f, 13f,
            15f, 17f};
        float[] out = new float[edge.length];
        Exp.shifted(edge, 0, out, 0, edge.length, 0f, 1f);
        assertEquals(0f, out[0]);
        assertEquals(0f, out[1]);
        assertEquals(0f, out[2]);
        assertTrue(Float.isNaN(out[3]));
        assertEquals(1f, out[4]);
        assertEquals(1f, out[5]);
        for (int i = 6; i < edge.length; i++) assertEquals((float) Math.exp(edge[i]), out[i], 2 * Math.ulp(out[i]));
    }
}
