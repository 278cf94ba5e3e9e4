package io.minnow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VectorConfigTest {

    @Test
    void forcedWidthIsUsed() {
        String bits = System.getProperty("minnow.vector.bits");
        if (bits != null) {
            assertEquals(Integer.parseInt(bits), VectorConfig.F_SPECIES.vectorBitSize());
        }
        assertTrue(VectorConfig.F_SPECIES.vectorBitSize() >= 64);
    }
}
