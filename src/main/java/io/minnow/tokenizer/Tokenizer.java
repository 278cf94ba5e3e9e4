package io.minnow.tokenizer;

import io.minnow.gguf.GGUFFile;

import java.util.Set;

/**
 * Text to token ids and back, matching llama.cpp ({@code llama_tokenize} / {@code llama_detokenize}) exactly.
 * Implementations are immutable and safe to share between threads.
 */
public interface Tokenizer {

    /**
     * The tokenizer of a GGUF file, chosen by {@code tokenizer.ggml.model}: {@code llama} (SentencePiece) or
     * {@code gpt2} (byte-level BPE). Other models (e.g. {@code bert}) give an {@link IllegalArgumentException}
     * naming the file.
     */
    static Tokenizer fromGGUF(GGUFFile file) {
        Vocabulary v = Vocabulary.load(file);
        return switch (v.kind()) {
            case SPM -> new SpmTokenizer(v);
            case BPE -> new BpeTokenizer(v, file);
        };
    }

    /**
     * Token ids of {@code text}. {@code addSpecial}: add BOS/EOS as the model asks ({@code add_bos_token} /
     * {@code add_eos_token}, llama.cpp's defaults when absent). {@code parseSpecial}: texts of control tokens
     * (e.g. {@code <|im_start|>}) in {@code text} become those tokens; user-defined tokens are always recognised.
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /** The bytes this token contributes to detokenized text; control and unknown tokens give none. */
    default byte[] tokenBytes(int token) {
        return tokenBytes(token, false);
    }

    /** As {@link #tokenBytes(int)}; with {@code special} control and unknown tokens give their text. */
    byte[] tokenBytes(int token, boolean special);

    /**
     * llama.cpp {@code llama_detokenize(remove_special=false, unparse_special=false)}: the pieces concatenated, one
     * leading space dropped from the first token's piece when the vocabulary adds a space prefix (SentencePiece;
     * not when the first token is BOS), then the BPE "clean spaces" pass where the vocabulary asks for it. Invalid
     * UTF-8 becomes U+FFFD.
     */
    String decode(int[] tokens);

    int vocabSize();

    /** BOS id, or -1. */
    int bos();

    /** EOS id, or -1. */
    int eos();

    /** Tokens that end generation: EOS, EOT, EOM and the texts llama.cpp treats as EOG. */
    Set<Integer> endOfGeneration();

    /** The raw vocabulary string of a token. */
    String tokenText(int id);

    boolean isControl(int id);

    /** The loaded vocabulary (token types, scores, flags). */
    Vocabulary vocabulary();
}
