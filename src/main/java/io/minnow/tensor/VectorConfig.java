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
        ENABLED = !"false".equals(System.getProperty("minnow.vector.enabled")) && F_SPECIES.vectorBitSize() >= 128;
    }
}
