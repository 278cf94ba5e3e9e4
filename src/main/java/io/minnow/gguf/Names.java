package io.minnow.gguf;

/**
 * The one table of GGUF metadata keys and tensor names (llama.cpp's {@code llama-arch.cpp}). Per-architecture
 * keys contain {@code %s} for the architecture name; per-layer tensors contain {@code %d} for the layer.
 */
public final class Names {
    private Names() {}

    // ---- general ------------------------------------------------------------------------------------------
    public static final String GENERAL_ARCHITECTURE = "general.architecture";
    public static final String GENERAL_NAME = "general.name";
    public static final String GENERAL_ALIGNMENT = "general.alignment";
    public static final String GENERAL_FILE_TYPE = "general.file_type";
    public static final String GENERAL_QUANTIZATION_VERSION = "general.quantization_version";

    // ---- per architecture ({@code %s} = architecture) -----------------------------------------------------
    public static final String CONTEXT_LENGTH = "%s.context_length";
    public static final String EMBEDDING_LENGTH = "%s.embedding_length";
    public static final String BLOCK_COUNT = "%s.block_count";
    public static final String FEED_FORWARD_LENGTH = "%s.feed_forward_length";
    public static final String USE_PARALLEL_RESIDUAL = "%s.use_parallel_residual";
    public static final String VOCAB_SIZE = "%s.vocab_size";
    public static final String ATTN_HEAD_COUNT = "%s.attention.head_count";
    public static final String ATTN_HEAD_COUNT_KV = "%s.attention.head_count_kv";
    public static final String ATTN_KEY_LENGTH = "%s.attention.key_length";
    public static final String ATTN_VALUE_LENGTH = "%s.attention.value_length";
    public static final String ATTN_LAYERNORM_EPS = "%s.attention.layer_norm_epsilon";
    public static final String ATTN_LAYERNORM_RMS_EPS = "%s.attention.layer_norm_rms_epsilon";
    public static final String ATTN_SLIDING_WINDOW = "%s.attention.sliding_window";
    public static final String ATTN_SLIDING_WINDOW_PATTERN = "%s.attention.sliding_window_pattern";
    public static final String ATTN_LOGIT_SOFTCAPPING = "%s.attn_logit_softcapping";
    public static final String FINAL_LOGIT_SOFTCAPPING = "%s.final_logit_softcapping";
    public static final String ROPE_DIMENSION_COUNT = "%s.rope.dimension_count";
    public static final String ROPE_FREQ_BASE = "%s.rope.freq_base";
    public static final String ROPE_FREQ_BASE_SWA = "%s.rope.freq_base_swa";
    public static final String ROPE_SCALING_TYPE = "%s.rope.scaling.type";
    public static final String ROPE_SCALING_FACTOR = "%s.rope.scaling.factor";
    public static final String ROPE_SCALING_ORIG_CTX = "%s.rope.scaling.original_context_length";

    // ---- tokenizer ----------------------------------------------------------------------------------------
    public static final String TOKENIZER_MODEL = "tokenizer.ggml.model";
    public static final String TOKENIZER_PRE = "tokenizer.ggml.pre";
    public static final String TOKENIZER_TOKENS = "tokenizer.ggml.tokens";
    public static final String TOKENIZER_TOKEN_TYPE = "tokenizer.ggml.token_type";
    public static final String TOKENIZER_SCORES = "tokenizer.ggml.scores";
    public static final String TOKENIZER_MERGES = "tokenizer.ggml.merges";
    public static final String TOKENIZER_BOS_ID = "tokenizer.ggml.bos_token_id";
    public static final String TOKENIZER_EOS_ID = "tokenizer.ggml.eos_token_id";
    public static final String TOKENIZER_EOT_ID = "tokenizer.ggml.eot_token_id";
    public static final String TOKENIZER_EOM_ID = "tokenizer.ggml.eom_token_id";
    public static final String TOKENIZER_UNK_ID = "tokenizer.ggml.unknown_token_id";
    public static final String TOKENIZER_SEP_ID = "tokenizer.ggml.seperator_token_id";
    public static final String TOKENIZER_PAD_ID = "tokenizer.ggml.padding_token_id";
    public static final String TOKENIZER_ADD_BOS = "tokenizer.ggml.add_bos_token";
    public static final String TOKENIZER_ADD_EOS = "tokenizer.ggml.add_eos_token";
    public static final String TOKENIZER_ADD_SPACE_PREFIX = "tokenizer.ggml.add_space_prefix";
    public static final String TOKENIZER_CHAT_TEMPLATE = "tokenizer.chat_template";
    public static final String TOKENIZER_MASK_ID = "tokenizer.ggml.mask_token_id";
    public static final String TOKENIZER_FIM_PRE_ID = "tokenizer.ggml.fim_pre_token_id";
    public static final String TOKENIZER_FIM_SUF_ID = "tokenizer.ggml.fim_suf_token_id";
    public static final String TOKENIZER_FIM_MID_ID = "tokenizer.ggml.fim_mid_token_id";
    public static final String TOKENIZER_FIM_PAD_ID = "tokenizer.ggml.fim_pad_token_id";
    public static final String TOKENIZER_FIM_REP_ID = "tokenizer.ggml.fim_rep_token_id";
    public static final String TOKENIZER_FIM_SEP_ID = "tokenizer.ggml.fim_sep_token_id";
    public static final String TOKENIZER_PREFIX_ID = "tokenizer.ggml.prefix_token_id";
    public static final String TOKENIZER_SUFFIX_ID = "tokenizer.ggml.suffix_token_id";
    public static final String TOKENIZER_MIDDLE_ID = "tokenizer.ggml.middle_token_id";
    public static final String TOKENIZER_REMOVE_EXTRA_WS = "tokenizer.ggml.remove_extra_whitespaces";

    // ---- tensors ------------------------------------------------------------------------------------------
    public static final String TOKEN_EMBD = "token_embd.weight";
    public static final String TOKEN_EMBD_NORM = "token_embd_norm";
    public static final String OUTPUT_NORM = "output_norm";
    public static final String OUTPUT = "output";
    public static final String ROPE_FREQS = "rope_freqs.weight";
    public static final String ROPE_FACTORS_LONG = "rope_factors_long.weight";
    public static final String ROPE_FACTORS_SHORT = "rope_factors_short.weight";

    /** Per-layer tensor base names ({@code %d} = layer), to be completed with {@link #weight} or {@link #bias}. */
    public static final String ATTN_NORM = "blk.%d.attn_norm";
    public static final String ATTN_Q = "blk.%d.attn_q";
    public static final String ATTN_K = "blk.%d.attn_k";
    public static final String ATTN_V = "blk.%d.attn_v";
    public static final String ATTN_QKV = "blk.%d.attn_qkv";
    public static final String ATTN_OUTPUT = "blk.%d.attn_output";
    public static final String ATTN_Q_NORM = "blk.%d.attn_q_norm";
    public static final String ATTN_K_NORM = "blk.%d.attn_k_norm";
    public static final String ATTN_POST_NORM = "blk.%d.post_attention_norm";
    public static final String FFN_NORM = "blk.%d.ffn_norm";
    public static final String FFN_GATE = "blk.%d.ffn_gate";
    public static final String FFN_UP = "blk.%d.ffn_up";
    public static final String FFN_DOWN = "blk.%d.ffn_down";
    public static final String FFN_POST_NORM = "blk.%d.post_ffw_norm";

    /** {@code key("%s.block_count", "llama")} is {@code "llama.block_count"}. */
    public static String key(String pattern, String arch) {
        return pattern.replace("%s", arch);
    }

    /** Name of a weight tensor: {@code weight(ATTN_Q, 3)} is {@code "blk.3.attn_q.weight"}. */
    public static String weight(String base, int layer) {
        return base.replace("%d", Integer.toString(layer)) + ".weight";
    }

    /** Name of a bias tensor: {@code bias(ATTN_Q, 3)} is {@code "blk.3.attn_q.bias"}. */
    public static String bias(String base, int layer) {
        return base.replace("%d", Integer.toString(layer)) + ".bias";
    }

    /** Name of a model-level weight: {@code weight(OUTPUT_NORM)} is {@code "output_norm.weight"}. */
    public static String weight(String base) {
        return base + ".weight";
    }

    public static String bias(String base) {
        return base + ".bias";
    }
}
