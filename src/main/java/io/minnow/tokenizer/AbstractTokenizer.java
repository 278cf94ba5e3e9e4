package io.minnow.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** What the SentencePiece and BPE tokenizers share: special-token partition, pieces, detokenization. */
abstract sealed class AbstractTokenizer implements Tokenizer permits SpmTokenizer, BpeTokenizer {
    final Vocabulary vocab;
    private final Set<Integer> eog;

    AbstractTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        this.eog = vocab.endOfGeneration();
    }

    @Override
    public final int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList out = new IntList(Math.max(16, text.length() / 2));
        if (addSpecial && vocab.addBos) out.add(requireSpecial(vocab.bos, "BOS"));
        List<Object> frags = vocab.partition(text, parseSpecial);
        encodeFragments(frags, out);
        if (addSpecial && vocab.addEos) out.add(requireSpecial(vocab.eos, "EOS"));
        return out.toArray();
    }

    /** Appends the tokens of the partitioned text: {@link String} raw text or {@link Integer} special tokens. */
    abstract void encodeFragments(List<Object> fragments, IntList out);

    /** The piece of a normal token. */
    abstract byte[] normalPiece(String text);

    private int requireSpecial(int id, String what) {
        if (id < 0) {
            throw new IllegalStateException(vocab.source + ": the model asks for " + what + " but has no " + what
                    + " token");
        }
        return id;
    }

    @Override
    public byte[] tokenBytes(int token, boolean special) {
        checkId(token);
        int attr = vocab.attrs[token];
        String text = vocab.tokens[token];
        if (!special && (attr & (Vocabulary.ATTR_UNKNOWN | Vocabulary.ATTR_CONTROL)) != 0) return new byte[0];
        if ((attr & (Vocabulary.ATTR_UNKNOWN | Vocabulary.ATTR_CONTROL | Vocabulary.ATTR_USER_DEFINED)) != 0) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & Vocabulary.ATTR_NORMAL) != 0) return normalPiece(text);
        if ((attr & Vocabulary.ATTR_BYTE) != 0) {
            return new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
        }
        return new byte[0]; // unused / undefined tokens
    }

    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(tokens.length * 4);
        boolean removeSpace = vocab.addSpacePrefix;
        for (int t : tokens) {
            byte[] p = tokenBytes(t, false);
            int skip = removeSpace && p.length > 0 && p[0] == ' ' ? 1 : 0;
            out.write(p, skip, p.length - skip);
            removeSpace = false;
        }
        byte[] b = out.toByteArray();
        int n = vocab.cleanSpaces ? cleanSpaces(b) : b.length;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /** llama.cpp's three clean-up passes over the detokenized bytes, in place; returns the new length. */
    static int cleanSpaces(byte[] t) {
        int total1 = t.length;
        int total = total1 > 0 ? 1 : 0;
        for (int i = 1; i < total1; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) total--;
            t[total++] = x;
        }
        int total2 = total;
        total = total2 > 0 ? 1 : 0;
        for (int i = 1; i < total2; i++) {
            byte x = t[i];
            if (x == '\'' && i + 1 < total2 && t[i - 1] == ' ' && t[i + 1] == ' ') {
                total--;
                t[++i] = 0;
            }
            t[total++] = x;
        }
        int total3 = total;
        total = total3 > 0 ? 1 : 0;
        for (int i = 1; i < total3; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && x == '\'' && i + 1 < total3) {
                byte x1 = t[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    total--;
                } else if (x1 != 't' && x1 != 'd' && i + 2 < total3) {
                    byte x2 = t[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) total--;
                }
            }
            t[total++] = x;
        }
        return total;
    }

    private void checkId(int id) {
        if (id < 0 || id >= vocab.tokens.length) {
            throw new IllegalArgumentException("token id " + id + " out of range [0, " + vocab.tokens.length + ")");
        }
    }

    @Override public int vocabSize() { return vocab.tokens.length; }
    @Override public int bos() { return vocab.bos; }
    @Override public int eos() { return vocab.eos; }
    @Override public Set<Integer> endOfGeneration() { return eog; }
    @Override public String tokenText(int id) { checkId(id); return vocab.tokens[id]; }
    @Override public boolean isControl(int id) { checkId(id); return vocab.isControl(id); }
    @Override public Vocabulary vocabulary() { return vocab; }

    /** A growable int array. */
    static final class IntList {
        private int[] a;
        private int n;

        IntList(int capacity) { a = new int[capacity]; }

        void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, a.length * 2);
            a[n++] = v;
        }

        int[] toArray() { return Arrays.copyOf(a, n); }
    }
}
