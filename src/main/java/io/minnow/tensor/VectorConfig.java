package io.minnow.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector width every kernel uses, fixed at start-up. System properties:
 * {@code minnow.vector.bits} = 128, 256 or 512 forces a width (tests use it to cover every width the CPU has);
 * {@code minnow.vector.enabled=false} forces the scalar paths.
 */
public final class VectorConfig {
    private VectorConfig() {}

    /** Float species of the chosen width. */
    public static final VectorSpecies<Float> F_SPECIES;
    /**
     * Float species of the block-quantized kernels: the chosen width, except that without {@code minnow.vector.bits}
     * it is at most 256 bits. Their byte-to-float widening at 512 bits (16 bytes to 16 floats) runs at half the
     * speed of two 256-bit widenings on the AVX-512 CPUs measured (see docs/performance.md).
     */
    public static final VectorSpecies<Float> Q_SPECIES;
    /** Whether kernels take their Vector API path. */
    public static final boolean ENABLED;

    static {
        String bits = System.getProperty("minnow.vector.bits");
        F_SPECIES = bits == null ? FloatVector.SPECIES_PREFERRED : switch (bits) {
            case "64" -> FloatVector.SPECIES_64;
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("minnow.vector.bits must be 64, 128, 256 or 512, got " + bits);
        };
        Q_SPECIES = bits == null && F_SPECIES.vectorBitSize() > 256 ? FloatVector.SPECIES_256 : F_SPECIES;
        ENABLED = !"false".equals(System.getProperty("minnow.vector.enabled")) && F_SPECIES.vectorBitSize() >= 128;
    }
}
