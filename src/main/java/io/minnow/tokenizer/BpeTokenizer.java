package io.minnow.tokenizer;

import io.minnow.gguf.GGUFFile;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = gpt2}), llama.cpp's {@code llm_tokenizer_bpe}: the text is split
 * by the pre-tokenizer of {@code tokenizer.ggml.pre}, each word is mapped to GPT-2's byte characters, and adjacent
 * symbols are merged lowest-merge-rank-first.
 */
final class BpeTokenizer extends AbstractTokenizer {
    private final Map<String, Integer> ranks;
    private final PreTokenizer preTokenizer;

    BpeTokenizer(Vocabulary vocab, GGUFFile file) {
        super(vocab);
        String[] merges = file.has(io.minnow.gguf.Names.TOKENIZER_MERGES)
                ? file.getStringArray(io.minnow.gguf.Names.TOKENIZER_MERGES) : null;
        if (merges == null) {
            throw new IllegalArgumentException(file.path() + ": cannot find tokenizer merges ('"
                    + io.minnow.gguf.Names.TOKENIZER_MERGES + "')");
        }
        ranks = new HashMap<>(merges.length * 2);
        for (int i = 0; i < merges.length; i++) {
            // llama.cpp splits at the first space after the first character; the pair is looked up as "left right"
            if (merges[i].indexOf(' ', 1) > 0) ranks.putIfAbsent(merges[i], i);
        }
        preTokenizer = new PreTokenizer(PreTokenizer.flagsFor(vocab.pre).regexes());
    }

    @Override
    void encodeFragments(List<Object> fragments, IntList out) {
        for (Object f : fragments) {
            if (f instanceof String s) {
                for (String word : preTokenizer.split(s)) tokenizeWord(word, out);
            } else {
                out.add((Integer) f);
            }
        }
    }

    private record Bigram(int left, int right, String text, int rank) {}

    private void tokenizeWord(String word, IntList out) {
        if (word.isEmpty()) return;
        if (vocab.ignoreMerges) {
            int id = vocab.id(word);
            if (id >= 0) {
                out.add(id);
                return;
            }
        }
        int n = word.length(); // byte-level characters are all in the BMP
        int[] start = new int[n], len = new int[n], prev = new int[n], next = new int[n];
        for (int i = 0; i < n; i++) {
            start[i] = i;
            len[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 == n ? -1 : i + 1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> {
            int c = Integer.compare(a.rank, b.rank);
            return c != 0 ? c : Integer.compare(a.left, b.left);
        });
        for (int i = 1; i < n; i++) tryAdd(word, start, len, i - 1, i, queue);
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            int l = b.left, r = b.right;
            if (len[l] == 0 || len[r] == 0) continue;
            if (len[l] + len[r] != b.text.length()
                    || !word.regionMatches(start[l], b.text, 0, b.text.length())) continue;
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            tryAdd(word, start, len, prev[l], l, queue);
            tryAdd(word, start, len, l, next[l], queue);
        }
        for (int i = 0; i != -1; i = next[i]) {
            String sym = word.substring(start[i], start[i] + len[i]);
            int id = vocab.id(sym);
            if (id >= 0) {
                out.add(id);
                continue;
            }
            // llama.cpp looks up each UTF-8 byte of the symbol as a one-byte token; only ASCII bytes can match
            for (byte b : sym.getBytes(StandardCharsets.UTF_8)) {
                if (b >= 0) {
                    int bid = vocab.id(String.valueOf((char) b));
                    if (bid >= 0) out.add(bid);
                }
            }
        }
    }

    private void tryAdd(String word, int[] start, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left == -1 || right == -1) return;
        String l = word.substring(start[left], start[left] + len[left]);
        String r = word.substring(start[right], start[right] + len[right]);
        Integer rank = ranks.get(l + " " + r);
        if (rank == null) return;
        queue.add(new Bigram(left, right, l + r, rank));
    }

    @Override
    byte[] normalPiece(String text) {
        return ByteLevel.decode(text);
    }
}
