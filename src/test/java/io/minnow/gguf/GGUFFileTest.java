package io.minnow.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader on files written by the tests themselves: every value type, alignment, and broken files. */
class GGUFFileTest {
    @TempDir
    Path dir;

    private GGUFWriter sample() {
        return new GGUFWriter()
                .put("general.architecture", "llama")
                .put("u8", new GGUFWriter.Typed(0, 200))
                .put("i8", new GGUFWriter.Typed(1, -5))
                .put("u16", new GGUFWriter.Typed(2, 60000))
                .put("i16", new GGUFWriter.Typed(3, -300))
                .put("u32", new GGUFWriter.Typed(4, -1))
                .put("i32", -70000)
                .put("f32", 1.5f)
                .put("bool", true)
                .put("str", "héllo")
                .put("u64", 1L << 40)
                .put("i64", new GGUFWriter.Typed(11, -9L))
                .put("f64", 2.25)
                .put("strs", new String[] {"a", "bc", ""})
                .put("floats", new float[] {1f, -2f})
                .put("ints", new int[] {3, 4, 5})
                .put("nested", new Object[] {new int[] {1, 2}, new String[] {"x"}})
                .tensor("w", new float[] {1, 2, 3, 4, 5, 6}, 3, 2)
                .tensor("b", new float[] {7, 8}, 2);
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void readsEveryValueType() throws IOException {
        try (GGUFFile f = GGUFFile.open(write("ok.gguf", sample().toBytes()))) {
            assertEquals(3, f.version());
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals(200, f.getInt("u8"));
            assertEquals(-5, f.getInt("i8"));
            assertEquals(60000, f.getInt("u16"));
            assertEquals(-300, f.getInt("i16"));
            assertEquals(4294967295L, f.getLong("u32"));
            assertEquals(-70000, f.getInt("i32"));
            assertEquals(1.5f, f.getFloat("f32"));
            assertEquals(true, f.getBoolean("bool", false));
            assertEquals("héllo", f.getString("str"));
            assertEquals(1L << 40, f.getLong("u64"));
            assertEquals(-9L, f.getLong("i64"));
            assertEquals(2.25, (Double) f.get("f64"));
            assertArrayEquals(new String[] {"a", "bc", ""}, f.getStringArray("strs"));
            assertArrayEquals(new float[] {1f, -2f}, f.getFloatArray("floats"));
            assertArrayEquals(new int[] {3, 4, 5}, f.getIntArray("ints"));
            Object[] nested = (Object[]) f.get("nested");
            assertArrayEquals(new int[] {1, 2}, (int[]) nested[0]);
            assertArrayEquals(new String[] {"x"}, (String[]) nested[1]);
            TensorInfo w = f.tensor("w");
            assertArrayEquals(new long[] {3, 2}, w.shape());
            assertEquals(2, w.rows());
            assertEquals(GGMLType.F32, w.type());
            assertEquals(6f, w.data().get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 20));
            assertEquals(0, f.dataOffset() % 32);
            assertEquals(32, f.tensor("b").offset());
        }
    }

    @Test
    void readsVersion2AndCustomAlignment() throws IOException {
        byte[] b = sample().version(2).put("general.alignment", new GGUFWriter.Typed(4, 64)).toBytes();
        try (GGUFFile f = GGUFFile.open(write("v2.gguf", b))) {
            assertEquals(2, f.version());
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataOffset() % 64);
            assertEquals(64, f.tensor("b").offset());
            assertEquals(7f, f.tensor("b").data().get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0));
        }
    }

    private GGUFException failure(String name, byte[] bytes) throws IOException {
        Path p = write(name, bytes);
        GGUFException e = assertThrows(GGUFException.class, () -> GGUFFile.open(p).close());
        assertTrue(e.getMessage().startsWith(p.toString()), "message names the file: " + e.getMessage());
        assertEquals(p, e.file());
        return e;
    }

    private static void assertMentions(GGUFException e, String text) {
        assertTrue(e.getMessage().contains(text), "expected '" + text + "' in: " + e.getMessage());
    }

    @Test
    void badMagic() throws IOException {
        byte[] b = sample().toBytes();
        b[0] = 'X';
        assertMentions(failure("magic.gguf", b), "bad magic");
        assertMentions(failure("empty.gguf", new byte[0]), "truncated header");
        assertMentions(failure("text.gguf", "hello world, not a model".getBytes()), "bad magic");
    }

    @Test
    void unsupportedVersion() throws IOException {
        for (int v : new int[] {1, 4, 0x03000000}) {
            byte[] b = sample().toBytes();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(4, v);
            assertMentions(failure("v" + v + ".gguf", b), "unsupported GGUF version");
        }
    }

    @Test
    void truncatedAnywhereInTheHeaderIsAClearError() throws IOException {
        byte[] full = sample().toBytes();
        long headerEnd;
        try (GGUFFile f = GGUFFile.open(write("full.gguf", full))) {
            headerEnd = f.dataOffset();
        }
        for (int len = 0; len < headerEnd; len += 7) {
            GGUFException e = failure("cut" + len + ".gguf", Arrays.copyOf(full, len));
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("data past end of file")
                    || e.getMessage().contains("bad magic"), e.getMessage());
        }
    }

    @Test
    void tensorDataPastEndOfFile() throws IOException {
        byte[] full = sample().toBytes();
        long dataOffset;
        try (GGUFFile f = GGUFFile.open(write("full.gguf", full))) {
            dataOffset = f.dataOffset();
        }
        // tensor 'b' (8 bytes) starts 32 bytes into the data section: keep only half of it
        assertMentions(failure("short.gguf", Arrays.copyOf(full, (int) dataOffset + 32 + 4)), "tensor 'b' data past end of file");
    }

    @Test
    void unknownTensorType() throws IOException {
        byte[] b = new GGUFWriter().put("general.architecture", "llama").tensor("w", new float[] {1, 2}, 2).toBytes();
        // the type id is the u32 right before the last u64 (offset) of the directory entry
        int typePos = indexOf(b, "w".getBytes()) + 1 + 4 + 8;
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(typePos, 77);
        assertMentions(failure("type.gguf", b), "unknown tensor type 77");
    }

    @Test
    void hugeCountsDoNotAllocate() throws IOException {
        byte[] b = sample().toBytes();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(16, Long.MAX_VALUE / 2);
        assertMentions(failure("kv.gguf", b), "truncated header");
    }

    @Test
    void missingKeyAndTensorAreNamed() throws IOException {
        try (GGUFFile f = GGUFFile.open(write("ok.gguf", sample().toBytes()))) {
            GGUFException k = assertThrows(GGUFException.class, () -> f.getInt("llama.block_count"));
            assertMentions(k, "missing required key 'llama.block_count'");
            GGUFException t = assertThrows(GGUFException.class, () -> f.tensor("output.weight"));
            assertMentions(t, "missing required tensor 'output.weight'");
            GGUFException w = assertThrows(GGUFException.class, () -> f.getInt("str"));
            assertMentions(w, "should be an integer");
        }
    }

    @Test
    void missingFileAndDirectory() {
        GGUFException e = assertThrows(GGUFException.class, () -> GGUFFile.open(dir.resolve("nope.gguf")));
        assertMentions(e, "file not found");
        assertMentions(assertThrows(GGUFException.class, () -> GGUFFile.open(dir)), "directory");
    }

    @Test
    void opensTheFixtureModels() {
        try (GGUFFile f = GGUFFile.open(io.minnow.Fixtures.model("llama-tiny-q4_k_m"))) {
            assertEquals("llama", f.getString(Names.GENERAL_ARCHITECTURE));
            assertEquals(GGMLType.Q6_K, f.tensor("output.weight").type());
            assertEquals(21, f.tensors().size());
        }
    }

    @Test
    void filesOver2GBAreMappedWhole() throws IOException {
        // a sparse file: the header, then one tensor whose data starts 3 GiB into the data section
        byte[] header = new GGUFWriter().put("general.architecture", "llama").tensor("far", new float[] {0, 0, 0, 0}, 4).toBytes();
        long far = 3L << 30;
        int offsetPos = indexOf(header, "far".getBytes()) + 3 + 4 + 8 + 4;
        ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putLong(offsetPos, far);
        Path p = dir.resolve("big.gguf");
        long dataOffset;
        try (var raf = new java.io.RandomAccessFile(p.toFile(), "rw")) {
            raf.write(header);
            dataOffset = GGUFFile.alignUp(header.length - 32, 32); // the writer padded the 16 data bytes to 32
            ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).putFloat(3f).putFloat(4.25f);
            raf.seek(dataOffset + far);
            raf.write(data.array());
        }
        try (GGUFFile f = GGUFFile.open(p)) {
            assertTrue(f.mapping().byteSize() > (3L << 30));
            var seg = f.tensor("far").data();
            assertEquals(-2f, seg.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 4));
            assertEquals(4.25f, seg.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 12));
        } finally {
            Files.delete(p);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = hay.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            if (i >= 8 && hay[i - 8] == needle.length) return i;
        }
        throw new IllegalStateException();
    }
}
