package io.minnow.model.tools;

import static io.minnow.gguf.Names.*;

import io.minnow.gguf.GGMLType;
import io.minnow.gguf.GGUFWriter;
import io.minnow.tensor.Quantizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Writes a GGUF file with seeded random weights in the exact shape of a real model, for benchmarks without
 * downloads. Weights are N(0, gain / sqrt(fan_in)) as in the fixtures README (gain 1.5 for Q and K, 1.0 for V,
 * attention output and FFN, 2.5 for the tied embeddings), norm weights 1 + N(0, 0.1), biases N(0, 0.1). The
 * tokenizer is a synthetic byte-level BPE vocabulary (256 byte tokens, a few merges, special tokens) padded to
 * the model's vocabulary size. Every row of every tensor has its own random stream, so the output depends only on
 * the shape, type and seed.
 */
public final class ModelMaker {
    private ModelMaker() {}

    /** A model's hyper-parameters as its GGUF conversion stores them. */
    public record Shape(String name, String arch, int nLayer, int nEmbd, int nHead, int nHeadKv, int headDim, int nFf,
            int nVocab, int context, float ropeBase, float rmsEps, boolean qkvBias, boolean qkNorm, String pre) {}

    public static final List<Shape> SHAPES = List.of(
            new Shape("smollm2-135m", "llama", 30, 576, 9, 3, 64, 1536, 49152, 8192, 100000f, 1e-5f, false, false, "smollm"),
            new Shape("smollm2-360m", "llama", 32, 960, 15, 5, 64, 2560, 49152, 8192, 100000f, 1e-5f, false, false, "smollm"),
            new Shape("qwen2.5-0.5b", "qwen2", 24, 896, 14, 2, 64, 4864, 151936, 32768, 1000000f, 1e-6f, true, false, "qwen2"),
            new Shape("qwen3-0.6b", "qwen3", 28, 1024, 16, 8, 128, 3072, 151936, 40960, 1000000f, 1e-6f, false, true, "qwen2"),
            new Shape("llama3.2-1b", "llama", 16, 2048, 32, 8, 64, 8192, 128256, 131072, 500000f, 1e-5f, false, false, "llama-bpe"));

    public static Shape shape(String name) {
        return SHAPES.stream().filter(s -> s.name.equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown shape '" + name + "' (known: " + String.join(", ", SHAPES.stream().map(Shape::name).toList()) + ")"));
    }

    /** Writes the model; returns how many tensors got each type. */
    public static Map<GGMLType, Integer> make(Shape s, FileType type, long seed, Path out) throws IOException {
        GGUFWriter w = new GGUFWriter();
        String a = s.arch;
        w.put(GENERAL_ARCHITECTURE, a);
        w.put(GENERAL_NAME, s.name + "-random");
        w.put(GENERAL_FILE_TYPE, u32(type.id));
        w.put(GENERAL_QUANTIZATION_VERSION, u32(2));
        w.put(key(CONTEXT_LENGTH, a), u32(s.context));
        w.put(key(EMBEDDING_LENGTH, a), u32(s.nEmbd));
        w.put(key(BLOCK_COUNT, a), u32(s.nLayer));
        w.put(key(FEED_FORWARD_LENGTH, a), u32(s.nFf));
        w.put(key(ATTN_HEAD_COUNT, a), u32(s.nHead));
        w.put(key(ATTN_HEAD_COUNT_KV, a), u32(s.nHeadKv));
        if (s.headDim * s.nHead != s.nEmbd) {
            w.put(key(ATTN_KEY_LENGTH, a), u32(s.headDim));
            w.put(key(ATTN_VALUE_LENGTH, a), u32(s.headDim));
        }
        w.put(key(ROPE_FREQ_BASE, a), s.ropeBase);
        w.put(key(ROPE_DIMENSION_COUNT, a), u32(s.headDim));
        w.put(key(ATTN_LAYERNORM_RMS_EPS, a), s.rmsEps);
        w.put(key(VOCAB_SIZE, a), u32(s.nVocab));
        vocab(w, s);

        QuantPlan plan = new QuantPlan(type, true, s.nLayer);
        Map<GGMLType, Integer> counts = new EnumMap<>(GGMLType.class);
        int e = s.nEmbd, q = s.nHead * s.headDim, kv = s.nHeadKv * s.headDim;
        int[] id = {0};
        Adder add = (name, gain, cols, rows) -> {
            long[] shape = rows == 1 ? new long[] {cols} : new long[] {cols, rows};
            GGMLType t = plan.typeFor(name, shape);
            float[] v = values(seed, id[0]++, name, gain, cols, rows);
            w.tensor(name, t, Quantizer.quantize(t, v, rows, cols), shape);
            counts.merge(t, 1, Integer::sum);
        };
        add.add(TOKEN_EMBD, 2.5f, e, s.nVocab);
        add.add(weight(OUTPUT_NORM), NORM, e, 1);
        for (int l = 0; l < s.nLayer; l++) {
            add.add(weight(ATTN_NORM, l), NORM, e, 1);
            add.add(weight(ATTN_Q, l), 1.5f, e, q);
            add.add(weight(ATTN_K, l), 1.5f, e, kv);
            add.add(weight(ATTN_V, l), 1f, e, kv);
            if (s.qkvBias) {
                add.add(bias(ATTN_Q, l), BIAS, q, 1);
                add.add(bias(ATTN_K, l), BIAS, kv, 1);
                add.add(bias(ATTN_V, l), BIAS, kv, 1);
            }
            if (s.qkNorm) {
                add.add(weight(ATTN_Q_NORM, l), NORM, s.headDim, 1);
                add.add(weight(ATTN_K_NORM, l), NORM, s.headDim, 1);
            }
            add.add(weight(ATTN_OUTPUT, l), 1f, q, e);
            add.add(weight(FFN_NORM, l), NORM, e, 1);
            add.add(weight(FFN_GATE, l), 1f, e, s.nFf);
            add.add(weight(FFN_UP, l), 1f, e, s.nFf);
            add.add(weight(FFN_DOWN, l), 1f, s.nFf, e);
        }
        w.write(out);
        return counts;
    }

    /** Gain markers for 1-D tensors: norm weights 1 + N(0, 0.1), biases N(0, 0.1). */
    private static final float NORM = -1f, BIAS = -2f;

    @FunctionalInterface
    private interface Adder {
        void add(String name, float gain, int cols, int rows) throws IOException;
    }

    private static GGUFWriter.Typed u32(int v) {
        return new GGUFWriter.Typed(4, v);
    }

    private static float[] values(long seed, int tensor, String name, float gain, int cols, int rows) {
        float[] v = new float[Math.multiplyExact(cols, rows)];
        long base = seed * 0x9E3779B97F4A7C15L + (long) tensor * 0xBF58476D1CE4E5B9L;
        IntStream.range(0, rows).parallel().forEach(r -> {
            SplittableRandom rnd = new SplittableRandom(base + r);
            int o = r * cols;
            if (gain == NORM) {
                for (int i = 0; i < cols; i++) v[o + i] = 1f + (float) (0.1 * rnd.nextGaussian());
            } else if (gain == BIAS) {
                for (int i = 0; i < cols; i++) v[o + i] = (float) (0.1 * rnd.nextGaussian());
            } else {
                double std = gain / Math.sqrt(cols);
                for (int i = 0; i < cols; i++) v[o + i] = (float) (std * rnd.nextGaussian());
            }
        });
        return v;
    }

    /** GPT-2's byte-to-unicode table: printable bytes map to themselves, the others to U+0100 onwards. */
    static String[] byteTokens() {
        String[] t = new String[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            t[b] = printable ? String.valueOf((char) b) : String.valueOf((char) (256 + n++));
        }
        return t;
    }

    /**
     * The synthetic byte-level BPE vocabulary: ids 0..255 the bytes, then "Ġ" + each lower-case letter (merges
     * "Ġ x"), then a few common letter pairs, then {@code <|endoftext|>} (BOS and EOS), {@code <|im_start|>},
     * {@code <|im_end|>} as control tokens, then {@code <pad_N>} up to the vocabulary size.
     */
    private static void vocab(GGUFWriter w, Shape s) {
        String[] bytes = byteTokens();
        List<String> tokens = new ArrayList<>(List.of(bytes));
        List<String> merges = new ArrayList<>();
        String space = bytes[' '];
        for (char c = 'a'; c <= 'z'; c++) {
            merges.add(space + " " + c);
            tokens.add(space + c);
        }
        for (String p : new String[] {"th", "he", "in", "er", "an", "re", "on", "at", "en", "nd", "ti", "es", "or", "te", "of", "ed"}) {
            merges.add(p.charAt(0) + " " + p.charAt(1));
            tokens.add(p);
        }
        int eot = tokens.size();
        tokens.add("<|endoftext|>");
        tokens.add("<|im_start|>");
        tokens.add("<|im_end|>");
        int[] types = new int[s.nVocab];
        java.util.Arrays.fill(types, 1);
        for (int i = eot; i < eot + 3; i++) types[i] = 3;
        while (tokens.size() < s.nVocab) tokens.add("<pad_" + tokens.size() + ">");
        w.put(TOKENIZER_MODEL, "gpt2");
        w.put(TOKENIZER_PRE, s.pre);
        w.put(TOKENIZER_TOKENS, tokens.toArray(String[]::new));
        w.put(TOKENIZER_TOKEN_TYPE, types);
        w.put(TOKENIZER_MERGES, merges.toArray(String[]::new));
        w.put(TOKENIZER_BOS_ID, u32(eot));
        w.put(TOKENIZER_EOS_ID, u32(eot));
        w.put(TOKENIZER_ADD_BOS, false);
    }
}
