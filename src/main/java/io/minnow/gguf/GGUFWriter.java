package io.minnow.gguf;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF v3 files: metadata first, then the tensor directory, then aligned tensor data. Used by
 * {@code make-model}, {@code quantize} and tests that build their own small (or broken) files.
 *
 * <p>Metadata values map to GGUF types as follows: {@link String} STRING, {@link Integer} INT32, {@link Long}
 * UINT64, {@link Float} FLOAT32, {@link Double} FLOAT64, {@link Boolean} BOOL, {@code String[]}, {@code int[]},
 * {@code float[]}, {@code long[]}, {@code boolean[]} arrays, {@code Object[]} an array of arrays, and
 * {@link Typed} for an explicit type.
 */
public final class GGUFWriter {
    /** A value with an explicit GGUF value type (e.g. UINT32 = 4). */
    public record Typed(int type, Object value) {}

    private record Tensor(String name, long[] shape, GGMLType type, byte[] data) {}

    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private int version = 3;
    private int alignment = GGUFFile.DEFAULT_ALIGNMENT;

    public GGUFWriter version(int v) {
        this.version = v;
        return this;
    }

    public GGUFWriter put(String key, Object value) {
        metadata.put(key, value);
        Object v = value instanceof Typed t ? t.value : value;
        if (key.equals(Names.GENERAL_ALIGNMENT) && v instanceof Number n) {
            alignment = n.intValue();
        }
        return this;
    }

    /** Adds a tensor; {@code data} holds its bytes in {@code type}'s layout, {@code shape[0]} is the row length. */
    public GGUFWriter tensor(String name, GGMLType type, byte[] data, long... shape) {
        long elements = 1;
        for (long d : shape) elements *= d;
        if (type.byteSize(elements) != data.length) {
            throw new IllegalArgumentException(name + ": " + data.length + " bytes given, " + type.byteSize(elements) + " expected");
        }
        tensors.add(new Tensor(name, shape, type, data));
        return this;
    }

    /** Adds an F32 tensor. */
    public GGUFWriter tensor(String name, float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return tensor(name, GGMLType.F32, b.array(), shape);
    }

    public byte[] toBytes() {
        Out o = header();
        for (Tensor t : tensors) {
            o.bytes(t.data);
            o.pad(alignment);
        }
        return o.toByteArray();
    }

    /** Metadata and tensor directory, padded to the alignment: everything before the first tensor's data. */
    private Out header() {
        Out o = new Out();
        o.i32(GGUFFile.MAGIC);
        o.i32(version);
        o.i64(tensors.size());
        o.i64(metadata.size());
        for (var e : metadata.entrySet()) {
            o.str(e.getKey());
            writeValue(o, e.getValue(), true);
        }
        long offset = 0;
        List<Long> offsets = new ArrayList<>();
        for (Tensor t : tensors) {
            o.str(t.name);
            o.i32(t.shape.length);
            for (long d : t.shape) o.i64(d);
            o.i32(t.type.id);
            o.i64(offset);
            offsets.add(offset);
            offset = GGUFFile.alignUp(offset + t.data.length, alignment);
        }
        o.pad(alignment);
        return o;
    }

    /** Writes the file, streaming tensor data (files over 2 GB work). */
    public void write(Path path) throws IOException {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(path), 1 << 20)) {
            out.write(header().toByteArray());
            byte[] zeros = new byte[alignment];
            for (Tensor t : tensors) {
                out.write(t.data);
                out.write(zeros, 0, (int) (GGUFFile.alignUp(t.data.length, alignment) - t.data.length));
            }
        }
    }

    public void write(OutputStream out) throws IOException {
        out.write(toBytes());
    }

    private static int typeOf(Object v) {
        return switch (v) {
            case Typed t -> t.type;
            case Byte b -> 1;
            case Short s -> 3;
            case Integer i -> 5;
            case Long l -> 10;
            case Float f -> 6;
            case Double d -> 12;
            case Boolean b -> 7;
            case String s -> 8;
            default -> 9;
        };
    }

    private static void writeValue(Out o, Object v, boolean withType) {
        int type = typeOf(v);
        if (withType) o.i32(type);
        Object x = v instanceof Typed t ? t.value : v;
        switch (type) {
            case 0, 1 -> o.u8(((Number) x).intValue());
            case 2, 3 -> o.i16(((Number) x).intValue());
            case 4, 5 -> o.i32(((Number) x).intValue());
            case 6 -> o.f32(((Number) x).floatValue());
            case 7 -> o.u8((Boolean) x ? 1 : 0);
            case 8 -> o.str((String) x);
            case 10, 11 -> o.i64(((Number) x).longValue());
            case 12 -> o.f64(((Number) x).doubleValue());
            case 9 -> writeArray(o, x);
            default -> throw new IllegalArgumentException("type " + type);
        }
    }

    private static void writeArray(Out o, Object x) {
        switch (x) {
            case String[] a -> { o.i32(8); o.i64(a.length); for (String s : a) o.str(s); }
            case int[] a -> { o.i32(5); o.i64(a.length); for (int i : a) o.i32(i); }
            case float[] a -> { o.i32(6); o.i64(a.length); for (float f : a) o.f32(f); }
            case long[] a -> { o.i32(11); o.i64(a.length); for (long l : a) o.i64(l); }
            case boolean[] a -> { o.i32(7); o.i64(a.length); for (boolean b : a) o.u8(b ? 1 : 0); }
            case byte[] a -> { o.i32(1); o.i64(a.length); for (byte b : a) o.u8(b); }
            case double[] a -> { o.i32(12); o.i64(a.length); for (double d : a) o.f64(d); }
            case Object[] a -> { o.i32(9); o.i64(a.length); for (Object e : a) writeArray(o, e); }
            default -> throw new IllegalArgumentException("cannot write " + x.getClass());
        }
    }

    private static final class Out {
        private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private void ensure(int n) {
            if (buf.remaining() < n) {
                ByteBuffer nb = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n)).order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                nb.put(buf);
                buf = nb;
            }
        }

        void u8(int v) { ensure(1); buf.put((byte) v); }
        void i16(int v) { ensure(2); buf.putShort((short) v); }
        void i32(int v) { ensure(4); buf.putInt(v); }
        void i64(long v) { ensure(8); buf.putLong(v); }
        void f32(float v) { ensure(4); buf.putFloat(v); }
        void f64(double v) { ensure(8); buf.putDouble(v); }
        void bytes(byte[] b) { ensure(b.length); buf.put(b); }
        void str(String s) { byte[] b = s.getBytes(StandardCharsets.UTF_8); i64(b.length); bytes(b); }
        void pad(int a) { int p = buf.position(); int n = (int) (GGUFFile.alignUp(p, a) - p); ensure(n); buf.put(new byte[n]); }

        byte[] toByteArray() {
            byte[] r = new byte[buf.position()];
            buf.flip();
            buf.get(r);
            return r;
        }
    }
}
