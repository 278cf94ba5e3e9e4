package io.minnow.model;

import io.minnow.gguf.GGUFException;
import io.minnow.gguf.GGUFFile;
import io.minnow.gguf.Names;
import io.minnow.gguf.TensorInfo;
import io.minnow.tensor.Parallel;
import io.minnow.tensor.Tensor;

/**
 * A decoder-only transformer over a mapped GGUF file. This class runs the parts every architecture shares
 * (token embedding, the stack of blocks, final norm, output matrix, soft-capping); each architecture supplies
 * its block in {@link #block}. Matrices stay in the mapping; only 1-D norm and bias vectors are decoded to
 * float arrays.
 *
 * <p>{@link #forward} is not reentrant: the engine calls it from one thread, and it uses the pool inside.
 */
public abstract class Model {
    protected final GGUFFile file;
    protected final ModelConfig config;
    protected final Tensor tokenEmbd;
    protected final Tensor output;
    private Workspace ws;

    protected Model(GGUFFile file, ModelConfig config) {
        this.file = file;
        this.config = config;
        this.tokenEmbd = matrix(Names.TOKEN_EMBD);
        TensorInfo out = file.optionalTensor(Names.weight(Names.OUTPUT));
        this.output = out != null ? wrap(out) : tokenEmbd;
    }

    public ModelConfig config() {
        return config;
    }

    public GGUFFile file() {
        return file;
    }

    public KVCache newCache(int capacity) {
        return new KVCache(config, capacity);
    }

    public KVCache newCache(int capacity, KVCache.Type type) {
        return new KVCache(config, capacity, type);
    }

    // ---- loading helpers ----------------------------------------------------------------------------------

    protected final Tensor matrix(String name) {
        return wrap(file.tensor(name));
    }

    protected final Tensor optionalMatrix(String name) {
        TensorInfo t = file.optionalTensor(name);
        return t == null ? null : wrap(t);
    }

    private Tensor wrap(TensorInfo t) {
        try {
            return Tensor.of(t);
        } catch (IllegalArgumentException e) {
            throw new GGUFException(file.path(), e.getMessage(), e);
        }
    }

    /** A 1-D tensor decoded to floats, checked to have {@code length} elements. */
    protected final float[] vector(String name, int length) {
        float[] v = optionalVector(name, length);
        if (v == null) {
            throw new GGUFException(file.path(), "missing required tensor '" + name + "'");
        }
        return v;
    }

    protected final float[] optionalVector(String name, int length) {
        TensorInfo t = file.optionalTensor(name);
        if (t == null) {
            return null;
        }
        if (t.elementCount() != length) {
            throw new GGUFException(file.path(), "tensor '" + name + "' has " + t.elementCount() + " elements, expected " + length);
        }
        float[] v = new float[length];
        wrap(t).dequantizeRow(0, v, 0);
        return v;
    }

    /** A matrix checked to map {@code in} inputs to {@code out} outputs, with its optional bias. */
    protected final Linear linear(String base, int layer, int in, int out) {
        String wName = layer < 0 ? Names.weight(base) : Names.weight(base, layer);
        String bName = layer < 0 ? Names.bias(base) : Names.bias(base, layer);
        Tensor w = matrix(wName);
        if (w.cols() != in || w.rows() != out) {
            throw new GGUFException(file.path(), "tensor '" + wName + "' has shape [" + w.cols() + ", " + w.rows() + "], expected [" + in + ", " + out + "]");
        }
        return new Linear(w, optionalVector(bName, out));
    }

    protected final Linear optionalLinear(String base, int layer, int in, int out) {
        return file.optionalTensor(Names.weight(base, layer)) == null ? null : linear(base, layer, in, out);
    }

    // ---- forward pass -------------------------------------------------------------------------------------

    /**
     * Runs the batch through the model: stores every token's keys and values in its cache and writes the logits
     * of the tokens that want them to {@code logits} ([batch.logitRows()][nVocab], in batch order).
     */
    public final void forward(Parallel pool, Batch batch, float[] logits) {
        int n = batch.size();
        if (n == 0) {
            return;
        }
        if (ws == null || ws.capacity < n) {
            ws = new Workspace(config, Math.max(n, batch.capacity()));
        }
        Workspace w = ws;
        int e = config.nEmbd;
        for (int i = 0; i < n; i++) {
            int tok = batch.tokens[i];
            if (tok < 0 || tok >= config.nVocab) {
                throw new IllegalArgumentException("token id " + tok + " outside the vocabulary of " + config.nVocab);
            }
            tokenEmbd.dequantizeRow(tok, w.x, i * e);
        }
        embed(w, n);
        for (int l = 0; l < config.nLayer; l++) {
            block(pool, batch, l, w);
        }
        int rows = 0;
        for (int i = 0; i < n; i++) {
            if (batch.wantLogits[i]) {
                finalNorm(w.x, i * e, w.xb, rows * e);
                rows++;
            }
        }
        if (rows == 0) {
            return;
        }
        output.matmul(pool, w.xb, rows, logits, config.nVocab);
        finishLogits(logits, rows);
    }

    /** Hook after the embedding lookup (scaling, embedding norm); {@code w.x} holds [n][nEmbd]. */
    protected void embed(Workspace w, int n) {}

    /** One transformer block: updates the residual stream {@code w.x} ([n][nEmbd]) in place. */
    protected abstract void block(Parallel pool, Batch batch, int layer, Workspace w);

    /** The final norm of one row. */
    protected abstract void finalNorm(float[] x, int xOff, float[] out, int outOff);

    /** Hook on the logits of {@code rows} rows (bias, soft-capping). */
    protected void finishLogits(float[] logits, int rows) {
        if (config.finalSoftcap > 0) {
            for (int i = 0; i < rows * config.nVocab; i++) {
                logits[i] = Activation.softcap(logits[i], config.finalSoftcap);
            }
        }
    }

    /** RoPE angles of every token of the batch into {@code w.cs} ([n][ropeDims]). */
    protected static void ropeAngles(Rope rope, Batch batch, Workspace w) {
        for (int i = 0; i < batch.size(); i++) {
            rope.angles(batch.positions[i], w.cs[i]);
        }
    }
}
