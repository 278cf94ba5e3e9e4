package io.minnow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextStreamTest {
    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void multiByteCharactersAreHeldUntilComplete() {
        TextStream t = new TextStream(List.of());
        byte[] euro = b("€"); // 3 bytes
        assertEquals("a", t.append(new byte[] {'a', euro[0]}));
        assertEquals("", t.append(new byte[] {euro[1]}));
        assertEquals("€b", t.append(new byte[] {euro[2], 'b'}));
        byte[] emoji = b("😀"); // 4 bytes
        assertEquals("", t.append(new byte[] {emoji[0], emoji[1]}));
        assertEquals("😀", t.append(new byte[] {emoji[2], emoji[3]}));
    }

    @Test
    void incompleteTailBecomesReplacementAtTheEnd() {
        TextStream t = new TextStream(List.of());
        assertEquals("x", t.append(new byte[] {'x', (byte) 0xE2, (byte) 0x82}));
        assertEquals("\uFFFD", t.flush());
    }

    @Test
    void stopStringIsNotReturnedAndEndsTheStream() {
        TextStream t = new TextStream(List.of("\n\n", "END"));
        assertEquals("Hello", t.append(b("Hello")));
        assertEquals(" ", t.append(b(" E")));     // "E" could start "END": held back
        assertEquals("Ea", t.append(b("a")));     // it did not
        assertEquals(" wor", t.append(b(" worE")));
        assertEquals("", t.append(b("N")));
        assertFalse(t.stopped());
        assertEquals("", t.append(b("D and more")));
        assertTrue(t.stopped());
        assertEquals("", t.flush());
    }

    @Test
    void heldTextIsReleasedAtTheEndWithoutAStop() {
        TextStream t = new TextStream(List.of("STOP"));
        assertEquals("abc", t.append(b("abcST")));
        assertEquals("ST", t.flush());
    }

    @Test
    void stopInsideOneToken() {
        TextStream t = new TextStream(List.of("."));
        assertEquals("Amen", t.append(b("Amen. And")));
        assertTrue(t.stopped());
    }
}
