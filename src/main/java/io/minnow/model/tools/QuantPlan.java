package io.minnow.model.tools;

import io.minnow.gguf.GGMLType;
import io.minnow.gguf.Names;

/**
 * The tensor type llama-quantize picks for each tensor of a file type ({@code llama_tensor_get_type} in llama.cpp's
 * {@code llama-quant.cpp}), for the file types of {@link FileType} and no importance matrix:
 * <ul>
 *   <li>1-D tensors (norms, biases) stay F32;</li>
 *   <li>{@code output.weight}, or {@code token_embd.weight} when the embeddings are tied, becomes Q6_K
 *       (Q8_0 stays Q8_0; Q8_0 when the row length is not a multiple of the base type's block);</li>
 *   <li>Q4_K_M: {@code attn_v} and {@code ffn_down} become Q6_K in the layers {@link #useMoreBits} picks
 *       (the first and last eighth and every third layer between);</li>
 *   <li>a K-quant whose row length is not a multiple of 256 falls back: Q4_K to Q5_0, Q6_K to Q8_0, and to F16
 *       if even that block does not divide the row.</li>
 * </ul>
 * Tensors must be offered in file order (the counters of {@code attn_v} follow llama.cpp's).
 */
public final class QuantPlan {
    private final FileType ftype;
    private final boolean tied;
    private final int nLayer;
    private int attnV;

    /**
     * @param tied   whether the file has no {@code output.weight} (the embeddings double as the output matrix)
     * @param nLayer number of blocks (one attn_v and one ffn_down each)
     */
    public QuantPlan(FileType ftype, boolean tied, int nLayer) {
        this.ftype = ftype;
        this.tied = tied;
        this.nLayer = nLayer;
    }

    /** llama.cpp's use_more_bits. */
    static boolean useMoreBits(int i, int n) {
        return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }

    /** The type of tensor {@code name} with {@code shape} (shape[0] is the row length). */
    public GGMLType typeFor(String name, long[] shape) {
        if (shape.length < 2 || !name.endsWith(".weight")) {
            return GGMLType.F32;
        }
        if (ftype == FileType.F16) {
            return GGMLType.F16;
        }
        long nx = shape[0];
        GGMLType t = ftype.base;
        if (name.equals(Names.weight(Names.OUTPUT)) || (tied && name.equals(Names.TOKEN_EMBD))) {
            if (nx % t.blockSize != 0) {
                t = GGMLType.Q8_0;
            } else if (t != GGMLType.Q8_0) {
                t = GGMLType.Q6_K;
            }
        } else if (name.contains("attn_v.weight")) {
            if (ftype == FileType.Q4_K_M && useMoreBits(attnV, nLayer)) t = GGMLType.Q6_K;
            attnV++;
        } else if (name.contains("ffn_down")) {
            if (ftype == FileType.Q4_K_M && useMoreBits(layerOf(name), nLayer)) t = GGMLType.Q6_K;
        } else if (name.contains("attn_qkv.weight") && ftype == FileType.Q4_K_M) {
            t = GGMLType.Q5_K;
        }
        if (nx % t.blockSize != 0) {
            t = switch (t) {
                case Q4_K -> GGMLType.Q5_0;
                case Q5_K -> GGMLType.Q5_1;
                case Q6_K -> GGMLType.Q8_0;
                default -> t;
            };
            if (nx % t.blockSize != 0) t = GGMLType.F16;
        }
        return t;
    }

    private static int layerOf(String name) {
        if (!name.startsWith("blk.")) return 0;
        int dot = name.indexOf('.', 4);
        return Integer.parseInt(name.substring(4, dot));
    }
}
