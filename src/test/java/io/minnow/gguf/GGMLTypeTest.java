package io.minnow.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class GGMLTypeTest {
    @Test
    void blockSizesMatchGgml() {
        assertEquals(34, GGMLType.Q8_0.typeSize);
        assertEquals(18, GGMLType.Q4_0.typeSize);
        assertEquals(144, GGMLType.Q4_K.typeSize);
        assertEquals(176, GGMLType.Q5_K.typeSize);
        assertEquals(210, GGMLType.Q6_K.typeSize);
        assertEquals(GGMLType.BF16, GGMLType.byId(30));
        assertNull(GGMLType.byId(31));
    }
}
