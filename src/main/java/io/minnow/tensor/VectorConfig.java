package io.minnow.tensor;

import java.util.function.Supplier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector width every kernel uses and whether the kernels take their Vector API path, fixed at start-up.
 * System properties:
 * <ul>
 * <li>{@code minnow.vector.bits} = 64, 128, 256 or 512 forces a width (tests use it to cover every width the CPU has);</li>
 * <li>{@code minnow.vector.enabled}: {@code false} forces the scalar paths, {@code true} takes the vector paths
 * without the start-up check, unset (or {@code auto}) decides as below.</li>
 * </ul>
 * In {@code auto} the scalar paths are chosen when the Vector API cannot be loaded (the JVM was started without
 * {@code --add-modules jdk.incubator.vector}), when the width is below 128 bits, or when a quick micro-check at
 * start-up finds a vector dot product no faster than a scalar one (a native image built without
 * {@code -H:+VectorAPISupport}, or a JVM without C2, runs the Vector API as slow emulation). {@link #REASON} says
 * why; the engine logs it once.
 */
public final class VectorConfig {
    private VectorConfig() {}

    /** Float species of the chosen width; null only when the Vector API cannot be loaded at all. */
    public static final VectorSpecies<Float> F_SPECIES;
    /** Whether kernels take their Vector API path. */
    public static final boolean ENABLED;
    /** Why the scalar path was chosen; null when {@link #ENABLED}. */
    public static final String REASON;
    /** The start-up check's result (null when it did not run). */
    public static final Timing CHECK;

    /** The micro-check: best time of one vector and one scalar dot product of the same length. */
    public record Timing(long vectorNanos, long scalarNanos, int rounds) {}

    /** The outcome: which path, and why not the vector one. */
    public record Decision(boolean enabled, String reason) {}

    static {
        String bits = System.getProperty("minnow.vector.bits");
        VectorSpecies<Float> species;
        try {
            species = species(bits);
        } catch (LinkageError e) {
            species = null; // jdk.incubator.vector is not in the module graph (or not in the native image)
        }
        F_SPECIES = species;
        Timing[] check = new Timing[1];
        Decision d = decide(System.getProperty("minnow.vector.enabled"), species != null,
                species == null ? 0 : species.vectorBitSize(), () -> check[0] = VectorProbe.measure());
        ENABLED = d.enabled();
        REASON = d.reason();
        CHECK = check[0];
    }

    private static VectorSpecies<Float> species(String bits) {
        return bits == null ? FloatVector.SPECIES_PREFERRED : switch (bits) {
            case "64" -> FloatVector.SPECIES_64;
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("minnow.vector.bits must be 64, 128, 256 or 512, got " + bits);
        };
    }

    /**
     * The decision, apart from how its inputs are gathered.
     *
     * @param property  the value of {@code minnow.vector.enabled} (null = auto)
     * @param available whether the Vector API classes load
     * @param bits      the chosen float species' width
     * @param check     the micro-check; called only in auto mode when everything else allows the vector path
     */
    public static Decision decide(String property, boolean available, int bits, Supplier<Timing> check) {
        String mode = property == null ? "auto" : property.trim().toLowerCase(java.util.Locale.ROOT);
        if (!mode.equals("auto") && !mode.equals("true") && !mode.equals("false")) {
            throw new IllegalArgumentException("minnow.vector.enabled must be true, false or auto, got " + property);
        }
        if (mode.equals("false")) {
            return new Decision(false, "minnow.vector.enabled=false");
        }
        if (!available) {
            return new Decision(false, "the Vector API is not available (start the JVM with --add-modules jdk.incubator.vector)");
        }
        if (bits < 128) {
            return new Decision(false, "the vector width is " + bits + " bits, below the 128 the kernels need");
        }
        if (mode.equals("true")) {
            return new Decision(true, null);
        }
        Timing t = check.get();
        if (t.vectorNanos() >= t.scalarNanos()) {
            return new Decision(false, "the Vector API is slow here (a vector dot took " + t.vectorNanos() + " ns, a scalar one "
                    + t.scalarNanos() + " ns, best of " + t.rounds() + " rounds): a native image without -H:+VectorAPISupport"
                    + " or a JVM without C2? Set minnow.vector.enabled=true to override");
        }
        return new Decision(true, null);
    }
}
