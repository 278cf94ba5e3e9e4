package io.minnow.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GGUF file (versions 2 and 3), mapped read-only with {@code java.lang.foreign}: the header is parsed,
 * tensor data stays in the mapping and is never copied to the heap. Files over 2 GB work.
 *
 * <p>Metadata values are returned as Java objects: integer types as {@link Integer} (8-, 16- and signed 32-bit)
 * or {@link Long} (unsigned 32-bit and 64-bit), {@link Float}, {@link Double}, {@link Boolean}, {@link String};
 * arrays as {@code byte[]}, {@code short[]}, {@code int[]}, {@code long[]}, {@code float[]}, {@code double[]},
 * {@code boolean[]}, {@code String[]} or, for arrays of arrays, {@code Object[]}.
 */
public final class GGUFFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    public static final int DEFAULT_ALIGNMENT = 32;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final int alignment;
    private final long dataOffset;
    private final Map<String, Object> metadata;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, Integer> types;

    private GGUFFile(Path path, Arena arena, MemorySegment mapping, int version, int alignment, long dataOffset,
            Map<String, Object> metadata, Map<String, Integer> types, Map<String, TensorInfo> tensors) {
        this.types = types;
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.version = version;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Maps and parses a GGUF file. Every problem is reported as a {@link GGUFException} naming the file. */
    public static GGUFFile open(Path path) {
        if (!Files.exists(path)) {
            throw new GGUFException(path, "file not found");
        }
        if (Files.isDirectory(path)) {
            throw new GGUFException(path, "is a directory, not a GGUF file");
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapping;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                mapping = ch.size() == 0 ? MemorySegment.NULL.reinterpret(0)
                        : ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            }
            GGUFFile f = parse(path, arena, mapping);
            return f;
        } catch (NoSuchFileException e) {
            arena.close();
            throw new GGUFException(path, "file not found", e);
        } catch (IOException e) {
            arena.close();
            throw new GGUFException(path, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static GGUFFile parse(Path path, Arena arena, MemorySegment seg) {
        Cursor c = new Cursor(path, seg);
        if (seg.byteSize() < 4) {
            throw new GGUFException(path, "truncated header: file is " + seg.byteSize() + " bytes, too short for the GGUF magic");
        }
        int magic = c.i32("magic");
        if (magic != MAGIC) {
            throw new GGUFException(path, String.format("bad magic 0x%08x: not a GGUF file (expected \"GGUF\")", magic));
        }
        int version = c.i32("version");
        if (version != 2 && version != 3) {
            String hint = version == 1 ? " (GGUF v1 is obsolete; convert the model again)"
                    : Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3 ? " (big-endian GGUF files are not supported)" : "";
            throw new GGUFException(path, "unsupported GGUF version " + version + hint + "; versions 2 and 3 are supported");
        }
        long tensorCount = c.u64("tensor count");
        long kvCount = c.u64("metadata count");
        // every tensor entry and every key/value pair takes at least 8 bytes
        if (tensorCount < 0 || tensorCount > c.remaining() / 8) {
            throw new GGUFException(path, "truncated header: declares " + Long.toUnsignedString(tensorCount) + " tensors but the file is too short");
        }
        if (kvCount < 0 || kvCount > c.remaining() / 8) {
            throw new GGUFException(path, "truncated header: declares " + Long.toUnsignedString(kvCount) + " metadata entries but the file is too short");
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        Map<String, Integer> types = new java.util.HashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = c.string("metadata key #" + i);
            int type = c.i32("type of metadata '" + key + "'");
            metadata.put(key, c.value(type, key, 0));
            types.put(key, type);
        }
        int alignment = DEFAULT_ALIGNMENT;
        Object align = metadata.get(Names.GENERAL_ALIGNMENT);
        if (align != null) {
            if (!(align instanceof Number n) || n.longValue() <= 0 || Long.bitCount(n.longValue()) != 1 || n.longValue() > (1 << 20)) {
                throw new GGUFException(path, "invalid general.alignment " + align + ": must be a power of two");
            }
            alignment = n.intValue();
        }
        record Entry(String name, long[] shape, GGMLType type, long offset) {}
        Entry[] entries = new Entry[(int) tensorCount];
        for (int i = 0; i < tensorCount; i++) {
            String name = c.string("name of tensor #" + i);
            int nDims = c.i32("dimension count of tensor '" + name + "'");
            if (nDims < 1 || nDims > 4) {
                throw new GGUFException(path, "tensor '" + name + "' has " + nDims + " dimensions; 1 to 4 are allowed");
            }
            long[] shape = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                shape[d] = c.u64("shape of tensor '" + name + "'");
                if (shape[d] <= 0 || shape[d] > (1L << 40)) {
                    throw new GGUFException(path, "tensor '" + name + "' has invalid dimension " + Long.toUnsignedString(shape[d]));
                }
                elements = Math.multiplyExact(elements, shape[d]);
            }
            int typeId = c.i32("type of tensor '" + name + "'");
            GGMLType type = GGMLType.byId(typeId);
            if (type == null) {
                throw new GGUFException(path, "tensor '" + name + "' has unknown tensor type " + typeId);
            }
            if (shape[0] % type.blockSize != 0) {
                throw new GGUFException(path, "tensor '" + name + "' of type " + type + " has row length " + shape[0]
                        + ", not a multiple of the block size " + type.blockSize);
            }
            long offset = c.u64("data offset of tensor '" + name + "'");
            entries[i] = new Entry(name, shape, type, offset);
        }
        long dataOffset = alignUp(c.pos, alignment);
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            long size = e.type.byteSize(elementsOf(e.shape));
            if (e.offset < 0 || e.offset % alignment != 0) {
                throw new GGUFException(path, "tensor '" + e.name + "' has offset " + Long.toUnsignedString(e.offset) + ", not a multiple of the alignment " + alignment);
            }
            long start = dataOffset + e.offset;
            if (start < 0 || start > seg.byteSize() || size > seg.byteSize() - start) {
                throw new GGUFException(path, "tensor '" + e.name + "' data past end of file: needs bytes " + start + ".." + (start + size)
                        + " but the file has " + seg.byteSize() + " bytes (truncated download?)");
            }
            if (tensors.put(e.name, new TensorInfo(e.name, e.shape, e.type, e.offset, seg.asSlice(start, size))) != null) {
                throw new GGUFException(path, "duplicate tensor name '" + e.name + "'");
            }
        }
        return new GGUFFile(path, arena, seg, version, alignment, dataOffset, metadata, types, tensors);
    }

    private static long elementsOf(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    static long alignUp(long v, long a) {
        return (v + a - 1) / a * a;
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    /** Absolute offset of the tensor data section in the file. */
    public long dataOffset() {
        return dataOffset;
    }

    /** The whole file, mapped. */
    public MemorySegment mapping() {
        return mapping;
    }

    public Map<String, Object> metadata() {
        return metadata;
    }

    /** The GGUF value type of a metadata entry (4 = UINT32, 9 = ARRAY, ...), or -1 when absent. */
    public int metadataType(String key) {
        return types.getOrDefault(key, -1);
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    // ---- metadata accessors -------------------------------------------------------------------------------

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    public Object get(String key) {
        return metadata.get(key);
    }

    private Object require(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            throw new GGUFException(path, "missing required key '" + key + "'");
        }
        return v;
    }

    public String getString(String key) {
        Object v = require(key);
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(key, "a string", v);
    }

    public String getString(String key, String dflt) {
        return has(key) ? getString(key) : dflt;
    }

    public int getInt(String key) {
        Object v = require(key);
        if (v instanceof Number n && !(v instanceof Float) && !(v instanceof Double)) {
            long l = n.longValue();
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return (int) l;
            }
        }
        throw wrongType(key, "an integer", v);
    }

    public int getInt(String key, int dflt) {
        return has(key) ? getInt(key) : dflt;
    }

    public long getLong(String key) {
        Object v = require(key);
        if (v instanceof Number n && !(v instanceof Float) && !(v instanceof Double)) {
            return n.longValue();
        }
        throw wrongType(key, "an integer", v);
    }

    public float getFloat(String key) {
        Object v = require(key);
        if (v instanceof Number n) {
            return n.floatValue();
        }
        throw wrongType(key, "a number", v);
    }

    public float getFloat(String key, float dflt) {
        return has(key) ? getFloat(key) : dflt;
    }

    public boolean getBoolean(String key, boolean dflt) {
        if (!has(key)) {
            return dflt;
        }
        Object v = metadata.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, "a boolean", v);
    }

    public String[] getStringArray(String key) {
        Object v = require(key);
        if (v instanceof String[] a) {
            return a;
        }
        throw wrongType(key, "an array of strings", v);
    }

    public float[] getFloatArray(String key) {
        Object v = require(key);
        if (v instanceof float[] a) {
            return a;
        }
        throw wrongType(key, "an array of float32", v);
    }

    /** An integer array of any integer element type, widened to {@code int}; a scalar gives a one-element array. */
    public int[] getIntArray(String key) {
        Object v = require(key);
        switch (v) {
            case int[] a -> { return a; }
            case byte[] a -> { int[] r = new int[a.length]; for (int i = 0; i < a.length; i++) r[i] = a[i]; return r; }
            case short[] a -> { int[] r = new int[a.length]; for (int i = 0; i < a.length; i++) r[i] = a[i]; return r; }
            case long[] a -> { int[] r = new int[a.length]; for (int i = 0; i < a.length; i++) r[i] = Math.toIntExact(a[i]); return r; }
            case Integer i -> { return new int[] {i}; }
            case Long l -> { return new int[] {Math.toIntExact(l)}; }
            default -> throw wrongType(key, "an array of integers", v);
        }
    }

    private GGUFException wrongType(String key, String expected, Object v) {
        String actual = v == null ? "null" : v.getClass().isArray() ? v.getClass().getComponentType().getSimpleName() + "[]" : v.getClass().getSimpleName();
        return new GGUFException(path, "metadata '" + key + "' should be " + expected + " but is " + actual);
    }

    // ---- tensors ------------------------------------------------------------------------------------------

    /** The tensor, or a {@link GGUFException} naming the missing tensor. */
    public TensorInfo tensor(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new GGUFException(path, "missing required tensor '" + name + "'");
        }
        return t;
    }

    /** The tensor, or {@code null}. */
    public TensorInfo optionalTensor(String name) {
        return tensors.get(name);
    }

    @Override
    public void close() {
        arena.close();
    }

    // ---- bounds-checked little-endian cursor over the header ----------------------------------------------

    private static final class Cursor {
        private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final int MAX_NESTING = 8;

        final Path path;
        final MemorySegment seg;
        long pos;

        Cursor(Path path, MemorySegment seg) {
            this.path = path;
            this.seg = seg;
        }

        long remaining() {
            return seg.byteSize() - pos;
        }

        private void need(long n, String what) {
            if (n < 0 || n > remaining()) {
                throw new GGUFException(path, "truncated header: file ends at byte " + seg.byteSize() + " while reading " + what);
            }
        }

        int i32(String what) {
            need(4, what);
            int v = seg.get(I32, pos);
            pos += 4;
            return v;
        }

        long u64(String what) {
            need(8, what);
            long v = seg.get(I64, pos);
            pos += 8;
            return v;
        }

        String string(String what) {
            long len = u64(what);
            if (len < 0 || len > remaining()) {
                throw new GGUFException(path, "truncated header: string of " + Long.toUnsignedString(len) + " bytes for " + what
                        + " runs past the end of the file");
            }
            if (len > Integer.MAX_VALUE - 16) {
                throw new GGUFException(path, "string too long for " + what);
            }
            byte[] b = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
            pos += len;
            return new String(b, StandardCharsets.UTF_8);
        }

        Object value(int type, String key, int depth) {
            String what = "value of '" + key + "'";
            switch (type) {
                case 0: { need(1, what); int v = Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, pos)); pos += 1; return v; }
                case 1: { need(1, what); int v = seg.get(ValueLayout.JAVA_BYTE, pos); pos += 1; return v; }
                case 2: { need(2, what); int v = Short.toUnsignedInt(seg.get(I16, pos)); pos += 2; return v; }
                case 3: { need(2, what); int v = seg.get(I16, pos); pos += 2; return v; }
                case 4: { return Integer.toUnsignedLong(i32(what)); }
                case 5: { return i32(what); }
                case 6: { need(4, what); float v = seg.get(F32, pos); pos += 4; return v; }
                case 7: {
                    need(1, what);
                    byte b = seg.get(ValueLayout.JAVA_BYTE, pos);
                    pos += 1;
                    if (b != 0 && b != 1) {
                        throw new GGUFException(path, "metadata '" + key + "' has invalid boolean byte " + b);
                    }
                    return b == 1;
                }
                case 8: return string(what);
                case 9: return array(key, depth);
                case 10: return u64(what);
                case 11: return u64(what);
                case 12: { need(8, what); double v = seg.get(F64, pos); pos += 8; return v; }
                default: throw new GGUFException(path, "metadata '" + key + "' has unknown value type " + type);
            }
        }

        private Object array(String key, int depth) {
            if (depth >= MAX_NESTING) {
                throw new GGUFException(path, "metadata '" + key + "' nests arrays deeper than " + MAX_NESTING);
            }
            int elemType = i32("element type of array '" + key + "'");
            long n = u64("length of array '" + key + "'");
            int elemSize = switch (elemType) {
                case 0, 1, 7 -> 1;
                case 2, 3 -> 2;
                case 4, 5, 6 -> 4;
                case 10, 11, 12, 8, 9 -> 8; // strings and arrays take at least their 8-byte length
                default -> throw new GGUFException(path, "array '" + key + "' has unknown element type " + elemType);
            };
            if (n < 0 || n > remaining() / elemSize) {
                throw new GGUFException(path, "truncated header: array '" + key + "' declares " + Long.toUnsignedString(n)
                        + " elements, more than the file holds");
            }
            int len = (int) n;
            String what = "array '" + key + "'";
            switch (elemType) {
                case 0, 1: {
                    byte[] a = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
                    pos += len;
                    if (elemType == 0) {
                        int[] u = new int[len];
                        for (int i = 0; i < len; i++) u[i] = Byte.toUnsignedInt(a[i]);
                        return u;
                    }
                    return a;
                }
                case 2, 3: {
                    short[] a = new short[len];
                    for (int i = 0; i < len; i++) a[i] = seg.get(I16, pos + 2L * i);
                    pos += 2L * len;
                    if (elemType == 2) {
                        int[] u = new int[len];
                        for (int i = 0; i < len; i++) u[i] = Short.toUnsignedInt(a[i]);
                        return u;
                    }
                    return a;
                }
                case 4: {
                    long[] a = new long[len];
                    for (int i = 0; i < len; i++) a[i] = Integer.toUnsignedLong(seg.get(I32, pos + 4L * i));
                    pos += 4L * len;
                    return a;
                }
                case 5: {
                    int[] a = new int[len];
                    for (int i = 0; i < len; i++) a[i] = seg.get(I32, pos + 4L * i);
                    pos += 4L * len;
                    return a;
                }
                case 6: {
                    float[] a = new float[len];
                    for (int i = 0; i < len; i++) a[i] = seg.get(F32, pos + 4L * i);
                    pos += 4L * len;
                    return a;
                }
                case 7: {
                    boolean[] a = new boolean[len];
                    for (int i = 0; i < len; i++) a[i] = seg.get(ValueLayout.JAVA_BYTE, pos + i) != 0;
                    pos += len;
                    return a;
                }
                case 10, 11: {
                    long[] a = new long[len];
                    for (int i = 0; i < len; i++) a[i] = seg.get(I64, pos + 8L * i);
                    pos += 8L * len;
                    return a;
                }
                case 12: {
                    double[] a = new double[len];
                    for (int i = 0; i < len; i++) a[i] = seg.get(F64, pos + 8L * i);
                    pos += 8L * len;
                    return a;
                }
                case 8: {
                    String[] a = new String[len];
                    for (int i = 0; i < len; i++) a[i] = string(what);
                    return a;
                }
                default: { // 9: array of arrays
                    Object[] a = new Object[len];
                    for (int i = 0; i < len; i++) {
                        a[i] = array(key, depth + 1); // each element is (element type, length, values)
                    }
                    return a;
                }
            }
        }
    }
}
