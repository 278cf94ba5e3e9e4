package io.minnow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minnow.tensor.VectorConfig.Decision;
import io.minnow.tensor.VectorConfig.Timing;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class VectorConfigTest {
    private static final Supplier<Timing> FAST = () -> new Timing(100, 800, 3);
    private static final Supplier<Timing> SLOW = () -> new Timing(90_000, 800, 40);
    private static final Supplier<Timing> NEVER = () -> {
        throw new AssertionError("the micro-check must not run here");
    };

    @Test
    void forcedWidthIsUsed() {
        String bits = System.getProperty("minnow.vector.bits");
        if (bits != null) {
            assertEquals(Integer.parseInt(bits), VectorConfig.F_SPECIES.vectorBitSize());
        }
        assertTrue(VectorConfig.F_SPECIES.vectorBitSize() >= 64);
    }

    @Test
    void reasonIsGivenExactlyWhenDisabled() {
        assertEquals(!VectorConfig.ENABLED, VectorConfig.REASON != null);
        if (System.getProperty("minnow.vector.enabled") == null && VectorConfig.F_SPECIES.vectorBitSize() >= 128) {
            Timing t = VectorConfig.CHECK;
            assertTrue(t != null && t.rounds() >= 3 && t.vectorNanos() > 0 && t.scalarNanos() > 0, String.valueOf(t));
        }
    }

    @Test
    void autoTakesTheVectorPathWhenTheCheckFindsItFaster() {
        AtomicInteger calls = new AtomicInteger();
        Decision d = VectorConfig.decide(null, true, 256, () -> {
            calls.incrementAndGet();
            return FAST.get();
        });
        assertTrue(d.enabled());
        assertNull(d.reason());
        assertEquals(1, calls.get());
        assertTrue(VectorConfig.decide("auto", true, 512, FAST).enabled());
    }

    @Test
    void autoFallsBackWhenTheVectorPathIsSlow() {
        Decision d = VectorConfig.decide(null, true, 256, SLOW);
        assertFalse(d.enabled());
        assertTrue(d.reason().contains("slow") && d.reason().contains("90000 ns"), d.reason());
        // a tie is not a win: emulation can be as fast as a loop the JIT did not vectorize either
        assertFalse(VectorConfig.decide(null, true, 256, () -> new Timing(800, 800, 9)).enabled());
    }

    @Test
    void unavailableApiFallsBackWithoutTheCheck() {
        Decision d = VectorConfig.decide(null, false, 0, NEVER);
        assertFalse(d.enabled());
        assertTrue(d.reason().contains("--add-modules jdk.incubator.vector"), d.reason());
        // forcing it on cannot conjure the module
        assertFalse(VectorConfig.decide("true", false, 0, NEVER).enabled());
    }

    @Test
    void narrowWidthFallsBackWithoutTheCheck() {
        Decision d = VectorConfig.decide(null, true, 64, NEVER);
        assertFalse(d.enabled());
        assertTrue(d.reason().contains("64 bits"), d.reason());
    }

    @Test
    void propertyForcesEitherPath() {
        Decision off = VectorConfig.decide("false", true, 256, NEVER);
        assertFalse(off.enabled());
        assertEquals("minnow.vector.enabled=false", off.reason());
        assertTrue(VectorConfig.decide("true", true, 256, NEVER).enabled());
        assertTrue(VectorConfig.decide(" TRUE ", true, 256, NEVER).enabled());
        assertThrows(IllegalArgumentException.class, () -> VectorConfig.decide("maybe", true, 256, NEVER));
    }

    @Test
    void realCheckMeasuresBothPaths() {
        if (VectorConfig.F_SPECIES.vectorBitSize() < 128) return;
        Timing t = VectorProbe.measure();
        assertTrue(t.rounds() >= 3 && t.vectorNanos() > 0 && t.scalarNanos() > 0, String.valueOf(t));
    }
}
