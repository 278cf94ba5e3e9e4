package io.minnow.model.tools;

import io.minnow.gguf.GGMLType;
import java.util.Locale;

/**
 * The file types {@code make-model} and {@code quantize} write, with llama.cpp's {@code general.file_type}
 * numbers (enum llama_ftype) and the tensor type most 2-D weights get.
 */
public enum FileType {
    F16(1, GGMLType.F16),
    Q8_0(7, GGMLType.Q8_0),
    Q4_0(2, GGMLType.Q4_0),
    Q4_K_M(15, GGMLType.Q4_K);

    /** The value of {@code general.file_type}. */
    public final int id;
    public final GGMLType base;

    FileType(int id, GGMLType base) {
        this.id = id;
        this.base = base;
    }

    public static FileType parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown type '" + s + "' (supported: F16, Q8_0, Q4_0, Q4_K_M)");
        }
    }
}
