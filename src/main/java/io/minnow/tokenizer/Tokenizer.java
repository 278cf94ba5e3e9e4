package io.minnow.tokenizer;

/** TEMPORARY stub of the tokenizer API (replaced by the tokenizer branch). */
public interface Tokenizer {
    static Tokenizer fromGGUF(io.minnow.gguf.GGUFFile file) { throw new UnsupportedOperationException(); }
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);
    byte[] tokenBytes(int token);
    String decode(int[] tokens);
    int vocabSize();
    int bos();
    int eos();
    java.util.Set<Integer> endOfGeneration();
    String tokenText(int id);
    boolean isControl(int id);
}
