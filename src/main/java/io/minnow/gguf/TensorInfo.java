package io.minnow.gguf;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One entry of the tensor directory. {@code shape[0]} is the row length (ggml's ne0, the contiguous
 * dimension); a 2-D weight therefore has {@code shape[1]} rows of {@code shape[0]} elements.
 *
 * @param data the tensor's bytes, a slice of the mapped file (never copied)
 */
public record TensorInfo(String name, long[] shape, GGMLType type, long offset, MemorySegment data) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Row length (ne0). */
    public int columns() {
        return (int) shape[0];
    }

    /** Number of rows: the product of all dimensions but the first. */
    public long rows() {
        return elementCount() / shape[0];
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }
}
