package io.minnow.model;

import io.minnow.gguf.GGUFException;
import io.minnow.gguf.GGUFFile;
import io.minnow.gguf.Names;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The registry of architectures, filled from {@link ServiceLoader}. */
public final class Architectures {
    private static final Map<String, Architecture> BY_NAME = new TreeMap<>();

    static {
        for (Architecture a : ServiceLoader.load(Architecture.class, Architectures.class.getClassLoader())) {
            BY_NAME.put(a.name(), a);
        }
    }

    private Architectures() {}

    public static java.util.Set<String> names() {
        return BY_NAME.keySet();
    }

    /** Loads the model of an open GGUF file with the architecture its metadata names. */
    public static Model load(GGUFFile file) {
        String arch = file.getString(Names.GENERAL_ARCHITECTURE);
        Architecture a = BY_NAME.get(arch);
        if (a == null) {
            throw new GGUFException(file.path(), "architecture '" + arch + "' is not supported (supported: " + String.join(", ", BY_NAME.keySet()) + ")");
        }
        return a.load(file);
    }
}
