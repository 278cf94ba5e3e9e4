package io.minnow.tensor;

import io.minnow.gguf.GGMLType;
import io.minnow.gguf.TensorInfo;
import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A weight matrix in one GGUF format, read straight from the mapped file: {@code rows} rows of {@code cols}
 * elements ({@code cols} is ggml's ne0). Each format is one subclass that owns its block layout, a scalar dot
 * product and a Vector API dot product. Activations are float32.
 *
 * <p>Instances are immutable views of the mapped bytes and hold no scratch state: every method may be called
 * from any number of threads at once.
 */
public abstract class Tensor {
    protected final MemorySegment data;
    protected final long rows;
    protected final int cols;

    protected Tensor(MemorySegment data, long rows, int cols) {
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        if (cols <= 0 || rows < 0 || cols % type().blockSize != 0) {
            throw new IllegalArgumentException(type() + " tensor of " + rows + " x " + cols
                    + ": the row length must be a positive multiple of " + type().blockSize);
        }
    }

    /** Constructor of a format class. */
    @FunctionalInterface
    private interface Factory {
        Tensor create(MemorySegment data, long rows, int cols);
    }

    /** The one place that maps a ggml type to the class implementing it. */
    private static final Map<GGMLType, Factory> FORMATS;

    static {
        EnumMap<GGMLType, Factory> m = new EnumMap<>(GGMLType.class);
        m.put(GGMLType.F32, F32Tensor::new);
        m.put(GGMLType.F16, F16Tensor::new);
        m.put(GGMLType.BF16, BF16Tensor::new);
        m.put(GGMLType.Q8_0, Q8_0Tensor::new);
        m.put(GGMLType.Q4_0, Q4_0Tensor::new);
        m.put(GGMLType.Q4_1, Q4_1Tensor::new);
        m.put(GGMLType.Q5_0, Q5_0Tensor::new);
        m.put(GGMLType.Q5_1, Q5_1Tensor::new);
        m.put(GGMLType.Q4_K, Q4_KTensor::new);
        m.put(GGMLType.Q5_K, Q5_KTensor::new);
        m.put(GGMLType.Q6_K, Q6_KTensor::new);
        FORMATS = Collections.unmodifiableMap(m);
    }

    /** Whether {@link #of} accepts tensors of this type. */
    public static boolean isSupported(GGMLType type) {
        return FORMATS.containsKey(type);
    }

    /**
     * Wraps a tensor of the directory in the class for its type. Any number of dimensions is accepted:
     * {@code cols = shape[0]}, {@code rows} = the product of the others.
     *
     * @throws IllegalArgumentException for an unsupported type, a row length that is not a whole number of
     *     blocks, or a data segment too small for the shape
     */
    public static Tensor of(TensorInfo info) {
        GGMLType type = info.type();
        Factory f = type == null ? null : FORMATS.get(type);
        if (f == null) {
            throw new IllegalArgumentException("tensor '" + info.name() + "' has type " + type
                    + ", which Minnow does not support (supported: "
                    + FORMATS.keySet().stream().map(Enum::name).collect(Collectors.joining(", ")) + ")");
        }
        long[] shape = info.shape();
        if (shape.length == 0 || shape[0] <= 0 || shape[0] > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("tensor '" + info.name() + "' has an unusable shape " + info);
        }
        int cols = (int) shape[0];
        long rows = info.rows();
        if (cols % type.blockSize != 0) {
            throw new IllegalArgumentException("tensor '" + info.name() + "': row length " + cols
                    + " is not a multiple of the " + type + " block size " + type.blockSize);
        }
        long need = type.byteSize(cols) * rows;
        if (info.data().byteSize() < need) {
            throw new IllegalArgumentException("tensor '" + info.name() + "' needs " + need + " bytes but has "
                    + info.data().byteSize());
        }
        return f.create(info.data(), rows, cols);
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

    /** Bytes of one row. */
    public final long rowBytes() {
        return type().byteSize(cols);
    }

    /**
     * Writes row {@code row}, dequantized exactly to float, to {@code out[off .. off+cols)}. This is also the
     * embedding lookup: {@code dequantizeRow(tokenId, out, 0)}.
     */
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
        matmul(pool, x, batch, out, outStride, 0);
    }

    /**
     * As {@link #matmul(Parallel, float[], int, float[], int)}, writing {@code out[outOffset + b*outStride + r]}
     * (for example into a slice of a fused QKV buffer).
     */
    public void matmul(Parallel pool, float[] x, int batch, float[] out, int outStride, int outOffset) {
        int n = checkShapes(x, batch, out, outStride, outOffset);
        float[] xd = batch == 1 && VectorConfig.ENABLED ? decodeInput(x)
                : readsInterleaved(batch) ? interleave(x, batch, cols)
                : VectorConfig.ENABLED ? decodeInputs(x, batch) : null;
        pool.forRange(n, grain(pool, n, batch),
                (start, end) -> matmulRows(x, xd, batch, out, outStride, outOffset, start, end));
    }

    /**
     * Several matmuls of the same activations in one pass of the pool ({@code out[i]} is {@code batch x rows_i}, row
     * stride {@code rows_i}): for example the q, k and v projections, or gate and up. One dispatch and one wait
     * instead of one per matrix; the small ones (k and v of grouped-query attention) cost mostly their dispatch.
     */
    public static void matmulAll(Parallel pool, float[] x, int batch, Tensor[] ts, float[][] out) {
        // One row range over all the matrices, each starting at a multiple of the tile height, so a chunk's tiles
        // fall where the matrix's own matmul puts them (the same sums, bit for bit).
        int align = batch >= BATCH_MIN ? Batched.TR : 1;
        int[] first = new int[ts.length + 1];
        for (int i = 0; i < ts.length; i++) {
            if (ts[i].cols != ts[0].cols) {
                throw new IllegalArgumentException("matmulAll needs one row length, got " + ts[0].cols + " and " + ts[i].cols);
            }
            int n = ts[i].checkShapes(x, batch, out[i], (int) ts[i].rows, 0);
            first[i + 1] = Math.addExact(first[i], (n + align - 1) / align * align);
        }
        int total = first[ts.length];
        // a decode input per matrix, shared with the one before when both have one format (gate and up, say)
        float[][] xd = new float[ts.length][];
        for (int i = 0; i < ts.length && batch == 1 && VectorConfig.ENABLED; i++) {
            xd[i] = i > 0 && ts[i].getClass() == ts[i - 1].getClass() ? xd[i - 1] : ts[i].decodeInput(x);
        }
        // the interleaved activations of small batches depend on x and cols only: one copy for all the matrices
        float[] xi = null;
        for (int i = 0; i < ts.length && batch > 1; i++) {
            if (ts[i].readsInterleaved(batch)) {
                xi = xi == null ? interleave(x, batch, ts[0].cols) : xi;
                xd[i] = xi;
            }
        }
        // small batches' decode inputs (decodeInputs), shared as the single row's are
        for (int i = 0; i < ts.length && batch > 1 && VectorConfig.ENABLED; i++) {
            if (xd[i] == null) {
                xd[i] = i > 0 && ts[i].getClass() == ts[i - 1].getClass() ? xd[i - 1] : ts[i].decodeInputs(x, batch);
            }
        }
        pool.forRange(total, grain(pool, total, batch), (start, end) -> {
            for (int i = 0; i < ts.length; i++) {
                int n = (int) ts[i].rows;
                int a = Math.max(start, first[i]) - first[i], b = Math.min(end, first[i] + n) - first[i];
                if (a < b) {
                    ts[i].matmulRows(x, xd[i], batch, out[i], n, 0, a, b);
                }
            }
        });
    }

    /** Validates a matmul's buffers; returns the row count. */
    private int checkShapes(float[] x, int batch, float[] out, int outStride, int outOffset) {
        if (rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("matmul needs fewer than 2^31 rows, got " + rows);
        }
        int n = (int) rows;
        if (batch < 1 || (long) batch * cols > x.length) {
            throw new IllegalArgumentException("x holds " + x.length + " floats, fewer than batch " + batch
                    + " x cols " + cols);
        }
        if (outStride < n || outOffset < 0 || outOffset + (long) (batch - 1) * outStride + n > out.length) {
            throw new IllegalArgumentException("out (" + out.length + " floats, stride " + outStride + ", offset "
                    + outOffset + ") cannot hold " + batch + " x " + n);
        }
        return n;
    }

    /**
     * The smallest range the pool hands out (its ranges shrink as the rows run out, see {@link Parallel#forRange}):
     * a 32nd of a thread's rows, so that a call ends on small ranges but claims few of them; batches take whole
     * tiles.
     */
    private static int grain(Parallel pool, int n, int batch) {
        int grain = Math.max(1, n / (pool.threads() * 32));
        if (batch >= BATCH_MIN) {
            grain = (grain + Batched.TR - 1) / Batched.TR * Batched.TR;
        }
        return grain;
    }

    /** Most activation rows of the fused small-batch path ({@link #fusedRows}). */
    static final int FUSED_MAX = 4;

    /**
     * Whether this format decodes each chunk of quants once for up to {@link #FUSED_MAX} activation rows (the
     * continuous-batching case), which beats the tiled path for so few rows.
     */
    boolean hasFusedRows() {
        return false;
    }

    /**
     * {@code out[o + b * os] = row · x[b * cols ..]} for {@code b < batch} (2 to {@link #FUSED_MAX}), with each chunk
     * of quants decoded once; only for formats whose {@link #hasFusedRows} is true.
     */
    void fusedRows(long row, float[] x, int batch, float[] out, int o, int os) {
        throw new UnsupportedOperationException(type() + " has no fused small-batch path");
    }

    /** Whether this format has {@link #fusedRowPair}. */
    boolean hasFusedRowPairs() {
        return false;
    }

    /**
     * {@link #fusedRows} for weight rows {@code row} and {@code row + step} (outputs at {@code o} and
     * {@code o + step}), each activation load shared by the two rows; each row computed exactly as {@link #fusedRows}
     * computes it, so a result does not depend on how the rows were split between threads. Only for formats whose
     * {@link #hasFusedRowPairs} is true. {@link #matmulRows} spreads the rows of a multi-row kernel over its range.
     */
    void fusedRowPair(long row, long step, float[] x, int batch, float[] out, int o, int os) {
        throw new UnsupportedOperationException(type() + " has no fused row pairs");
    }

    /** Whether this format has {@link #rowOf2}, which then takes every weight row of a batch of exactly 2. */
    boolean hasRowsOf2() {
        return false;
    }

    /**
     * {@code out[o] = row · x[0 ..]} and {@code out[o + os] = row · x[cols ..]}: one weight row against exactly 2
     * activation rows (the batch of {@link #fusedRows} padded to 4 would compute two rows for nothing).
     */
    void rowOf2(long row, float[] x, float[] out, int o, int os) {
        throw new UnsupportedOperationException(type() + " has no two-row kernel");
    }

    /**
     * The activation rows of a small batch in the form this format's batch kernels read, or null where they read
     * {@code x} (or {@link #interleave}'s layout) as it is. Built once per matmul on the calling thread, as
     * {@link #decodeInput} is, and handed to {@link #matmulRows} as {@code xd}; it may depend only on {@code x},
     * {@code batch} and {@code cols}, and may be a per-thread buffer.
     */
    float[] decodeInputs(float[] x, int batch) {
        return null;
    }

    /** Whether batches of 2 take {@link #decodedRowOf2} on {@link #decodeInputs}'s form of the activations. */
    boolean hasDecodedRowsOf2() {
        return false;
    }

    /**
     * {@code out[o]} and {@code out[o + os]}: weight row {@code row} against the two activation rows of {@code in},
     * {@link #decodeInputs}'s form of a batch of 2. Only for formats whose {@link #hasDecodedRowsOf2} is true.
     */
    void decodedRowOf2(long row, float[] in, float[] out, int o, int os) {
        throw new UnsupportedOperationException(type() + " has no two-row decode kernel");
    }

    /** Whether this format has {@link #fusedRowQuad} (formats decide by vector width: it needs 32 registers). */
    boolean hasFusedRowQuads() {
        return false;
    }

    /**
     * {@link #fusedRows} for four weight rows ({@code row + i * step}, outputs at {@code o + i * step}, i < 4) and
     * the {@code batch} activation rows (2 to {@link #FUSED_MAX}) of {@code xi}, the activations as
     * {@link #interleave} lays them out: each activation vector is loaded once for four rows. Each row is computed
     * exactly as {@link #fusedRows} computes it.
     */
    void fusedRowQuad(long row, long step, float[] xi, int batch, float[] out, int o, int os) {
        throw new UnsupportedOperationException(type() + " has no fused row quads");
    }

    /** Floats per activation row and block in {@link #interleave}: the block length of Q4_0 and Q8_0. */
    static final int INTERLEAVE = 32;

    /**
     * Whether this format's small-batch kernels read {@link #interleave}'s layout at this batch size: the quads, and
     * the pairs for 8 rows (batches of 2 with {@link #rowOf2}, and the rows left over, read {@code x} as it is).
     */
    final boolean readsInterleaved(int batch) {
        return batch >= BATCH_MIN && batch <= FUSED_MAX8 && VectorConfig.ENABLED && Kernels.ONE_PART
                && !(batch == 2 && hasRowsOf2())
                && (batch <= FUSED_MAX ? hasFusedRowQuads() : hasFusedRowPairs8());
    }

    private static final ThreadLocal<float[][]> INTERLEAVED = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * The activation rows of a small batch ({@code x} is {@code batch x cols}) block by block: for each block of
     * {@value #INTERLEAVE} columns, that block of 4 rows (batches of up to 4) or 8 (up to 8), rows past the batch
     * repeating its last row. [cols / 32][4 or 8][32]
     *
     * <p>A multi-row kernel then reads every activation vector of a block at a fixed offset from one index. Reading
     * each row from its own place in {@code x} held 8 row offsets live in the loop of the 8-row kernel, and C2 kept
     * them on the stack: qwen2.5-0.5b's 896-column Q4_0 matrices, one thread, 8 activation rows, 6.07 against 3.85
     * ns per block (docs/performance.md, "Spread rows round"). A per-thread buffer, built on the calling thread
     * before the rows are shared out, as {@link #decodeInput} is; the calling thread's next matmul overwrites it.
     */
    static float[] interleave(float[] x, int batch, int cols) {
        int rs = batch <= FUSED_MAX ? FUSED_MAX : FUSED_MAX8, nb = cols / INTERLEAVE, n = nb * rs * INTERLEAVE;
        float[][] holder = INTERLEAVED.get();
        if (holder[0].length < n) {
            holder[0] = new float[n];
        }
        float[] xi = holder[0];
        for (int b = 0; b < nb; b++) {
            for (int r = 0; r < rs; r++) {
                System.arraycopy(x, Math.min(r, batch - 1) * cols + b * INTERLEAVE, xi, (b * rs + r) * INTERLEAVE,
                        INTERLEAVE);
            }
        }
        return xi;
    }

    /** Most activation rows of {@link #fusedRowPair8}. */
    static final int FUSED_MAX8 = 8;

    /** Whether this format has {@link #fusedRowPair8} (formats decide by vector width: it needs 32 registers). */
    boolean hasFusedRowPairs8() {
        return false;
    }

    /**
     * {@link #fusedRowPair} for {@code FUSED_MAX + 1} to {@link #FUSED_MAX8} activation rows, read from {@code xi}
     * ({@link #interleave}, 8 rows per block). A row's sums do not depend on its partner, so every row of a batch
     * gets the same ones whatever the thread split. {@code step} 0 pairs a row with itself (the last row of an odd
     * range): both outputs then fall on one place.
     */
    void fusedRowPair8(long row, long step, float[] xi, int batch, float[] out, int o, int os) {
        throw new UnsupportedOperationException(type() + " has no fused row pairs for 8 rows");
    }

    /** Whether a batch of this size takes the fused small-batch path. */
    private boolean fused(int batch) {
        return VectorConfig.ENABLED && Kernels.ONE_PART && batch >= BATCH_MIN && batch <= FUSED_MAX && hasFusedRows();
    }

    /** From this many activation rows on, {@link #matmulRows} takes the tiled path of {@link Batched}. */
    static final int BATCH_MIN = 2;

    /**
     * Weight rows {@code [start, end)} of {@link #matmul}. A single activation row (decode) takes the format's dot
     * product per weight row; a batch (prompt processing) takes {@link Batched}: each tile of weight rows is
     * dequantized once and multiplied against every activation row.
     *
     * <p>The multi-row kernels of small batches (pairs, quads) take rows a half or a quarter of the range apart,
     * not adjacent ones: each of their two or four weight streams is then one long run through memory, which the
     * hardware prefetcher follows. Four adjacent rows made four streams of a few cache lines each (one row of an
     * 896-column Q4_0 matrix is 504 bytes), and the kernel waited on memory: qwen2.5-0.5b's 896-column Q4_0
     * matrices, one thread, 4 activation rows, 4.1-4.4 ns per block streamed from memory against 2.3-2.7 with the
     * rows spread (docs/performance.md, "Spread rows round").
     */
    protected void matmulRows(float[] x, float[] xd, int batch, float[] out, int outStride, int outOffset, int start,
            int end) {
        if (batch == 2 && VectorConfig.ENABLED && hasDecodedRowsOf2()) {
            float[] in = xd != null ? xd : decodeInputs(x, 2);
            for (int r = start; r < end; r++) {
                decodedRowOf2(r, in, out, outOffset + r, outStride);
            }
            return;
        }
        float[] xi = xd != null || !readsInterleaved(batch) ? xd : interleave(x, batch, cols);
        if (batch > FUSED_MAX && batch <= FUSED_MAX8 && VectorConfig.ENABLED && Kernels.ONE_PART && hasFusedRowPairs8()) {
            int half = (end - start) / 2, r = start;
            for (; r < start + half; r++) {
                fusedRowPair8(r, half, xi, batch, out, outOffset + r, outStride);
            }
            if (start + 2 * half < end) {
                // the last row of an odd range paired with itself (step 0): its two outputs fall on one place
                int last = end - 1;
                fusedRowPair8(last, 0, xi, batch, out, outOffset + last, outStride);
            }
            return;
        }
        if (fused(batch)) {
            int r = start;
            if (batch == 2 && hasRowsOf2()) {
                for (; r < end; r++) {
                    rowOf2(r, x, out, outOffset + r, outStride);
                }
                return;
            }
            if (hasFusedRowQuads()) {
                int quarter = (end - r) / 4, first = r;
                for (; r < first + quarter; r++) {
                    fusedRowQuad(r, quarter, xi, batch, out, outOffset + r, outStride);
                }
                r = first + 4 * quarter;
            }
            if (hasFusedRowPairs()) {
                int half = (end - r) / 2, first = r;
                for (; r < first + half; r++) {
                    fusedRowPair(r, half, x, batch, out, outOffset + r, outStride);
                }
                r = first + 2 * half;
            }
            for (; r < end; r++) {
                fusedRows(r, x, batch, out, outOffset + r, outStride);
            }
            return;
        }
        if (VectorConfig.ENABLED && batch >= BATCH_MIN) {
            Batched.matmulRows(this, x, batch, out, outStride, outOffset, start, end);
            return;
        }
        boolean vector = VectorConfig.ENABLED;
        if (vector && batch == 1) {
            dotRows(x, xd, out, outOffset, start, end);
            return;
        }
        for (int r = start; r < end; r++) {
            for (int b = 0; b < batch; b++) {
                out[outOffset + b * outStride + r] = vector ? dotVector(r, x, b * cols) : dotScalar(r, x, b * cols);
            }
        }
    }

    /**
     * The activation row of a decode matmul ({@code x[0 .. cols)}) in the form this format's decode kernel reads, or
     * null where it reads {@code x} as it is. {@link #matmul} builds it once, on the calling thread, before the rows
     * are shared out, and hands it to every range ({@link #dotRows}); matrices of one format share it in
     * {@link #matmulAll}, so it may depend only on {@code x} and {@code cols}. It may be a per-thread buffer that
     * the calling thread's next matmul overwrites.
     */
    float[] decodeInput(float[] x) {
        return null;
    }

    /**
     * Decode's matmul on the Vector API path: {@code out[outOffset + r] = dotVector(r, x, 0)} for weight rows
     * {@code [start, end)}, {@code xd} being {@link #decodeInput}'s form of {@code x}. The main formats override it
     * with this same loop, so that C2 compiles it against their own (final) {@code dotVector} and inlines the kernel.
     * Here, shared by every format, the call is megamorphic: one virtual call per row, and the kernel's constants
     * reloaded for each. Streaming qwen2.5's Q5_0 matrices on 2 threads through a megamorphic call per row took 1.88
     * ns per block, through a loop that inlines it 1.74.
     */
    void dotRows(float[] x, float[] xd, float[] out, int outOffset, int start, int end) {
        for (int r = start; r < end; r++) {
            out[outOffset + r] = dotVector(r, x, 0);
        }
    }

    /**
     * Writes weight rows {@code [row, row + n)}, dequantized exactly, to {@code out[i*cols ..]} for {@code i < n}
     * (the tile of {@link Batched}). Formats may override this with a faster decoder; the values must equal
     * {@link #dequantizeRow}'s.
     */
    void dequantizeRowsForBatch(long row, int n, float[] out) {
        for (int i = 0; i < n; i++) {
            dequantizeRowVector(row + i, out, i * cols);
        }
    }

    /**
     * {@link #dequantizeRow} on the Vector API path (formats override it where it pays); the values are the same
     * floats, bit for bit.
     */
    void dequantizeRowVector(long row, float[] out, int off) {
        dequantizeRow(row, out, off);
    }
}
