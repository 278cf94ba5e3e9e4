package io.minnow.tensor;

import io.minnow.gguf.GGMLType;
import io.minnow.gguf.TensorInfo;
import java.lang.foreign.MemorySegment;

/**
 * A weight matrix in one GGUF format, read straight from the mapped file: {@code rows} rows of {@code cols}
 * elements ({@code cols} is ggml's ne0). Each format is one subclass that owns its block layout, a scalar dot
 * product and a Vector API dot product. Activations are float32.
 */
public abstract class Tensor {
    protected final MemorySegment data;
    protected final long rows;
    protected final int cols;

    protected Tensor(MemorySegment data, long rows, int cols) {
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    /** Wraps a tensor of the directory in the class for its type. */
    public static Tensor of(TensorInfo info) {
        throw new UnsupportedOperationException("TODO(tensor helper)");
    }

    public abstract GGMLType type();

    public final long rows() {
        return rows;
    }

    public final int cols() {
        return cols;
    }

    public final MemorySegment data() {
        return data;
    }

    /** Writes row {@code row}, dequantized exactly to float, to {@code out[off .. off+cols)}. */
    public abstract void dequantizeRow(long row, float[] out, int off);

    /** Dot product of row {@code row} with {@code x[xOff .. xOff+cols)}, scalar path. */
    public abstract float dotScalar(long row, float[] x, int xOff);

    /** The same with the Vector API at {@link VectorConfig#F_SPECIES}. */
    public abstract float dotVector(long row, float[] x, int xOff);

    /** The same on the path chosen at start-up. */
    public final float dot(long row, float[] x, int xOff) {
        return VectorConfig.ENABLED ? dotVector(row, x, xOff) : dotScalar(row, x, xOff);
    }

    /**
     * {@code out[b*outStride + r] = dot(row r, x[b*cols ..])} for every activation row {@code b < batch} and weight
     * row {@code r < rows}: x is {@code batch x cols}, out is {@code batch x rows} (row stride {@code outStride}).
     * Parallel over weight rows.
     */
    public void matmul(Parallel pool, float[] x, int batch, float[] out, int outStride) {
        throw new UnsupportedOperationException("TODO(tensor helper)");
    }
}
