package io.minnow.model;

/**
 * Tokens to run through the model in one pass. Tokens of several sequences may be mixed; each token names its
 * sequence's cache and position. Tokens of one sequence must come in increasing, consecutive positions, and the
 * cache must already hold that sequence's earlier positions.
 */
public final class Batch {
    public final int[] tokens;
    public final int[] positions;
    public final KVCache[] caches;
    /** Whether the logits of this token are wanted. */
    public final boolean[] wantLogits;
    private int size;

    public Batch(int capacity) {
        tokens = new int[capacity];
        positions = new int[capacity];
        caches = new KVCache[capacity];
        wantLogits = new boolean[capacity];
    }

    public void clear() {
        java.util.Arrays.fill(caches, 0, size, null);
        size = 0;
    }

    public void add(int token, int position, KVCache cache, boolean logits) {
        if (size == tokens.length) {
            throw new IllegalStateException("batch is full (" + size + " tokens)");
        }
        if (position < 0 || position >= cache.capacity()) {
            throw new IllegalArgumentException("position " + position + " outside the cache of " + cache.capacity());
        }
        tokens[size] = token;
        positions[size] = position;
        caches[size] = cache;
        wantLogits[size] = logits;
        size++;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return tokens.length;
    }

    /** Number of tokens whose logits are wanted. */
    public int logitRows() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (wantLogits[i]) n++;
        }
        return n;
    }
}
