package io.minnow.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.PriorityQueue;

/**
 * SentencePiece-style tokenizer ({@code tokenizer.ggml.model = llama}), llama.cpp's {@code llm_tokenizer_spm}:
 * spaces become U+2581, a space is prefixed to text at the start or after a special token (when
 * {@code add_space_prefix}), adjacent symbols are merged best-score-first while the merged text is a token, and
 * what is left that is not a token falls back to {@code <0xNN>} byte tokens.
 */
final class SpmTokenizer extends AbstractTokenizer {

    SpmTokenizer(Vocabulary vocab) {
        super(vocab);
    }

    @Override
    void encodeFragments(List<Object> fragments, IntList out) {
        boolean prevSpecial = true;
        for (Object f : fragments) {
            if (f instanceof String s) {
                String text = vocab.addSpacePrefix && prevSpecial ? " " + s : s;
                tokenize(text.replace(" ", "\u2581"), out);
                prevSpecial = false;
            } else {
                out.add((Integer) f);
                prevSpecial = true;
            }
        }
    }

    private record Bigram(int left, int right, float score, int size) {}

    private void tokenize(String text, IntList out) {
        int n = text.codePointCount(0, text.length());
        if (n == 0) return;
        int[] start = new int[n], len = new int[n], prev = new int[n], next = new int[n];
        for (int i = 0, off = 0; i < n; i++) {
            int cl = Character.charCount(text.codePointAt(off));
            start[i] = off;
            len[i] = cl;
            off += cl;
            prev[i] = i - 1;
            next[i] = off == text.length() ? -1 : i + 1;
        }
        // highest score first; on equal scores the leftmost
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> {
            int c = Float.compare(b.score, a.score);
            return c != 0 ? c : Integer.compare(a.left, b.left);
        });
        for (int i = 1; i < n; i++) tryAdd(text, start, len, i - 1, i, queue);
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            int l = b.left, r = b.right;
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != b.size) continue;
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            tryAdd(text, start, len, prev[l], l, queue);
            tryAdd(text, start, len, l, next[l], queue);
        }
        for (int i = 0; i != -1; i = next[i]) {
            String sym = text.substring(start[i], start[i] + len[i]);
            int id = vocab.id(sym);
            if (id >= 0) {
                out.add(id);
                continue;
            }
            for (byte b : sym.getBytes(StandardCharsets.UTF_8)) out.add(byteToken(b & 0xFF));
        }
    }

    private void tryAdd(String text, int[] start, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left == -1 || right == -1) return;
        int size = len[left] + len[right];
        int id = vocab.id(text.substring(start[left], start[left] + size));
        if (id < 0) return;
        queue.add(new Bigram(left, right, vocab.scores[id], size));
    }

    /** llama.cpp byte_to_token: {@code <0xNN>}, else the one-character token, else (not in llama.cpp) UNK. */
    private int byteToken(int b) {
        int id = vocab.id(String.format("<0x%02X>", b));
        if (id >= 0) return id;
        if (b < 0x80) {
            id = vocab.id(String.valueOf((char) b));
            if (id >= 0) return id;
        }
        if (vocab.unk >= 0) return vocab.unk;
        throw new IllegalStateException(vocab.source + ": no token for byte 0x" + Integer.toHexString(b));
    }

    @Override
    byte[] normalPiece(String text) {
        return text.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
    }
}
