package io.minnow.model;

import io.minnow.gguf.GGUFException;
import io.minnow.gguf.GGUFFile;
import io.minnow.gguf.Names;

/**
 * Hyper-parameters read from a GGUF file's {@code <arch>.*} keys. Head counts and FFN widths are per layer
 * (OpenELM varies them); for other models every layer has the same values.
 */
public final class ModelConfig {
    public final String architecture;
    public final String name;
    public final int nLayer;
    public final int nEmbd;
    public final int nVocab;
    public final int contextLength;
    private final int[] nHead;
    private final int[] nHeadKv;
    private final int[] nFf;
    /** Dimension of each query/key head. */
    public final int headDimK;
    /** Dimension of each value head. */
    public final int headDimV;
    /** Number of rotated dimensions per head. */
    public final int ropeDims;
    public final float ropeBase;
    /** RoPE base of sliding-window layers (Gemma 3); {@link #ropeBase} when the file has none. */
    public final float ropeBaseSwa;
    /** Positions are divided by this (linear RoPE scaling); 1 when none. */
    public final float ropeLinearScale;
    public final float rmsEps;
    public final float normEps;
    /** Sliding-window size in tokens, 0 when the model has none. */
    public final int slidingWindow;
    /** Attention logit soft-capping, 0 when none. */
    public final float attnSoftcap;
    /** Final logit soft-capping, 0 when none. */
    public final float finalSoftcap;

    public ModelConfig(GGUFFile f) {
        architecture = f.getString(Names.GENERAL_ARCHITECTURE);
        String a = architecture;
        name = f.getString(Names.GENERAL_NAME, a);
        nLayer = positive(f, key(Names.BLOCK_COUNT, a), f.getInt(key(Names.BLOCK_COUNT, a)));
        nEmbd = positive(f, key(Names.EMBEDDING_LENGTH, a), f.getInt(key(Names.EMBEDDING_LENGTH, a)));
        contextLength = f.getInt(key(Names.CONTEXT_LENGTH, a), 2048);
        nHead = perLayer(f, key(Names.ATTN_HEAD_COUNT, a), null);
        nHeadKv = perLayer(f, key(Names.ATTN_HEAD_COUNT_KV, a), nHead);
        nFf = perLayer(f, key(Names.FEED_FORWARD_LENGTH, a), null);
        headDimK = f.getInt(key(Names.ATTN_KEY_LENGTH, a), nEmbd / nHead[0]);
        headDimV = f.getInt(key(Names.ATTN_VALUE_LENGTH, a), headDimK);
        ropeDims = f.getInt(key(Names.ROPE_DIMENSION_COUNT, a), headDimK);
        ropeBase = f.getFloat(key(Names.ROPE_FREQ_BASE, a), 10000f);
        ropeBaseSwa = f.getFloat(key(Names.ROPE_FREQ_BASE_SWA, a), ropeBase);
        String scaling = f.getString(key(Names.ROPE_SCALING_TYPE, a), "none");
        float factor = f.getFloat(key(Names.ROPE_SCALING_FACTOR, a), 0f);
        ropeLinearScale = "linear".equals(scaling) && factor > 0 ? factor : 1f;
        rmsEps = f.getFloat(key(Names.ATTN_LAYERNORM_RMS_EPS, a), 1e-5f);
        normEps = f.getFloat(key(Names.ATTN_LAYERNORM_EPS, a), 1e-5f);
        slidingWindow = f.getInt(key(Names.ATTN_SLIDING_WINDOW, a), 0);
        attnSoftcap = f.getFloat(key(Names.ATTN_LOGIT_SOFTCAPPING, a), 0f);
        finalSoftcap = f.getFloat(key(Names.FINAL_LOGIT_SOFTCAPPING, a), 0f);
        nVocab = vocabSize(f);
        if (ropeDims > headDimK || ropeDims % 2 != 0) {
            throw new GGUFException(f.path(), "rope.dimension_count " + ropeDims + " does not fit head dimension " + headDimK);
        }
        for (int l = 0; l < nLayer; l++) {
            if (nHeadKv[l] <= 0 || nHead[l] % nHeadKv[l] != 0) {
                throw new GGUFException(f.path(), "layer " + l + ": " + nHead[l] + " heads cannot be shared by " + nHeadKv[l] + " KV heads");
            }
        }
    }

    private static String key(String pattern, String arch) {
        return Names.key(pattern, arch);
    }

    private static int positive(GGUFFile f, String key, int v) {
        if (v <= 0) {
            throw new GGUFException(f.path(), "metadata '" + key + "' must be positive, got " + v);
        }
        return v;
    }

    private int[] perLayer(GGUFFile f, String key, int[] dflt) {
        int[] v;
        if (!f.has(key) && dflt != null) {
            return dflt.clone();
        }
        v = f.getIntArray(key);
        if (v.length == 1 && nLayer > 1) {
            int[] b = new int[nLayer];
            java.util.Arrays.fill(b, v[0]);
            v = b;
        }
        if (v.length != nLayer) {
            throw new GGUFException(f.path(), "metadata '" + key + "' has " + v.length + " values for " + nLayer + " layers");
        }
        for (int x : v) {
            positive(f, key, x);
        }
        return v;
    }

    private int vocabSize(GGUFFile f) {
        var emb = f.tensor(Names.TOKEN_EMBD);
        return (int) emb.rows();
    }

    public int nHead(int layer) {
        return nHead[layer];
    }

    public int nHeadKv(int layer) {
        return nHeadKv[layer];
    }

    public int nFf(int layer) {
        return nFf[layer];
    }

    public int maxHead() {
        return java.util.Arrays.stream(nHead).max().orElseThrow();
    }

    public int maxHeadKv() {
        return java.util.Arrays.stream(nHeadKv).max().orElseThrow();
    }

    public int maxFf() {
        return java.util.Arrays.stream(nFf).max().orElseThrow();
    }

    /** Width of one token's keys in layer {@code l}: KV heads times head dimension. */
    public int kvDim(int l) {
        return nHeadKv[l] * headDimK;
    }

    @Override
    public String toString() {
        return architecture + " '" + name + "': " + nLayer + " layers, embd " + nEmbd + ", heads " + nHead[0] + "/" + nHeadKv[0]
                + ", head_dim " + headDimK + ", ffn " + nFf[0] + ", vocab " + nVocab + ", ctx " + contextLength;
    }
}
