package io.minnow.engine;

import io.minnow.model.KVCache;
import io.minnow.model.Model;

/**
 * A fixed set of KV-cache slots, allocated once at start-up. A finished sequence leaves its tokens in its slot,
 * so that a later request starting with the same tokens reuses them (automatic prefix caching); idle slots are
 * evicted least-recently-used. A session id pins an idle slot to its conversation. Used by the scheduler thread
 * only (statistics are read racily but safely).
 */
final class KVPool {
    static final class Slot {
        final int id;
        final KVCache cache;
        /** the tokens whose keys and values the cache holds, in position order. [capacity] */
        final int[] tokens;
        volatile int length;
        volatile boolean busy;
        long lastUsed;
        String session;

        Slot(int id, KVCache cache) {
            this.id = id;
            this.cache = cache;
            this.tokens = new int[cache.capacity()];
        }
    }

    /** A slot handed out, with the number of prompt tokens already in its cache. */
    record Lease(Slot slot, int reused) {}

    private final Slot[] slots;
    private final long bytesPerToken;
    private long clock;

    KVPool(Model model, int slotCount, int capacity, KVCache.Type type) {
        slots = new Slot[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new Slot(i, model.newCache(capacity, type));
        }
        bytesPerToken = slots[0].cache.bytes() / capacity;
    }

    int capacity() {
        return slots[0].cache.capacity();
    }

    int size() {
        return slots.length;
    }

    boolean hasFree() {
        for (Slot s : slots) if (!s.busy) return true;
        return false;
    }

    /**
     * Takes a slot for a prompt, or returns {@code null} when every slot is busy. Preference: the idle slot of
     * the same session, then the idle slot sharing the longest prefix, then the least recently used idle slot
     * (unpinned slots before pinned ones).
     */
    Lease acquire(int[] prompt, String session, boolean reuse) {
        Slot best = null;
        int bestPrefix = -1;
        if (session != null) {
            for (Slot s : slots) {
                if (!s.busy && session.equals(s.session)) {
                    best = s;
                    bestPrefix = commonPrefix(s, prompt);
                    break;
                }
            }
        }
        if (best == null && reuse) {
            for (Slot s : slots) {
                if (s.busy) continue;
                int p = commonPrefix(s, prompt);
                if (p > 0 && (p > bestPrefix || p == bestPrefix && s.lastUsed > best.lastUsed)) {
                    best = s;
                    bestPrefix = p;
                }
            }
        }
        if (best == null) {
            for (Slot s : slots) {
                if (s.busy) continue;
                if (best == null || rank(s) < rank(best)) best = s;
            }
            bestPrefix = 0;
        }
        if (best == null) {
            return null;
        }
        int reused = reuse ? Math.min(Math.max(bestPrefix, 0), prompt.length - 1) : 0;
        best.busy = true;
        best.length = reused;
        if (session != null) {
            for (Slot s : slots) if (s != best && session.equals(s.session)) s.session = null;
        }
        best.session = session;
        best.lastUsed = ++clock;
        return new Lease(best, reused);
    }

    /** Eviction order: never-used and unpinned slots first, then the oldest. */
    private static long rank(Slot s) {
        return (s.session != null ? 1L << 40 : 0) + s.lastUsed;
    }

    private static int commonPrefix(Slot s, int[] prompt) {
        int n = Math.min(s.length, prompt.length);
        int i = 0;
        while (i < n && s.tokens[i] == prompt[i]) i++;
        return i;
    }

    /** Returns a slot. With {@code keep} its tokens stay for reuse; otherwise the slot is wiped. */
    void release(Slot s, boolean keep) {
        if (!keep) {
            s.length = 0;
            s.session = null;
        }
        s.lastUsed = ++clock;
        s.busy = false;
    }

    int busySlots() {
        int n = 0;
        for (Slot s : slots) if (s.busy) n++;
        return n;
    }

    long bytesTotal() {
        return bytesPerToken * capacity() * slots.length;
    }

    /** Bytes of KV entries held by running sequences. */
    long bytesInUse() {
        long t = 0;
        for (Slot s : slots) if (s.busy) t += s.length;
        return t * bytesPerToken;
    }
}
