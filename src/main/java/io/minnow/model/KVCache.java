package io.minnow.model;

/**
 * The keys and values of one sequence, for every layer, up to {@code capacity} positions. Allocated once;
 * the engine's pool hands caches to sequences and takes them back.
 */
public final class KVCache {
    /** keys[layer]: [capacity][kvDim(layer)] row-major. */
    final float[][] keys;
    /** values[layer]: [capacity][nHeadKv(layer) * headDimV] row-major. */
    final float[][] values;
    private final int capacity;
    private final long bytes;

    public KVCache(ModelConfig cfg, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("KV cache capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        keys = new float[cfg.nLayer][];
        values = new float[cfg.nLayer][];
        long b = 0;
        for (int l = 0; l < cfg.nLayer; l++) {
            keys[l] = new float[Math.multiplyExact(capacity, cfg.kvDim(l))];
            values[l] = new float[Math.multiplyExact(capacity, cfg.nHeadKv(l) * cfg.headDimV)];
            b += 4L * (keys[l].length + values[l].length);
        }
        bytes = b;
    }

    /** Bytes a cache of this capacity takes, without allocating it. */
    public static long bytesFor(ModelConfig cfg, int capacity) {
        long b = 0;
        for (int l = 0; l < cfg.nLayer; l++) {
            b += 4L * capacity * (cfg.kvDim(l) + (long) cfg.nHeadKv(l) * cfg.headDimV);
        }
        return b;
    }

    public int capacity() {
        return capacity;
    }

    public long bytes() {
        return bytes;
    }
}
