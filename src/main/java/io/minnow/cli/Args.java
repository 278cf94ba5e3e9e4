package io.minnow.cli;

import io.minnow.engine.Engine;
import io.minnow.engine.EngineOptions;
import io.minnow.model.KVCache;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** {@code --name value} and {@code --flag} arguments of a command. */
final class Args {
    static final class UsageException extends RuntimeException {
        UsageException(String m) {
            super(m);
        }
    }

    final PrintStream out;
    final PrintStream err;
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> used = new HashSet<>();

    private Args(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    static Args parse(PrintStream out, PrintStream err, String[] argv) {
        Args a = new Args(out, err);
        for (int i = 1; i < argv.length; i++) {
            String k = argv[i];
            if (!k.startsWith("--")) throw new UsageException("unexpected argument '" + k + "'");
            String name = k.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                a.values.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                a.values.put(name, argv[++i]);
            } else {
                a.values.put(name, "true");
            }
        }
        return a;
    }

    String string(String name, String dflt) {
        used.add(name);
        return values.getOrDefault(name, dflt);
    }

    boolean flag(String name) {
        used.add(name);
        String v = values.get(name);
        return v != null && !"false".equals(v);
    }

    int integer(String name, int dflt) {
        String v = string(name, null);
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs an integer, got '" + v + "'");
        }
    }

    long longValue(String name, long dflt) {
        String v = string(name, null);
        if (v == null) return dflt;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs an integer, got '" + v + "'");
        }
    }

    float number(String name, float dflt) {
        String v = string(name, null);
        if (v == null) return dflt;
        try {
            return Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs a number, got '" + v + "'");
        }
    }

    /** Fails on options that the command did not read. */
    void checkAllUsed() {
        for (String k : values.keySet()) {
            if (!used.contains(k)) throw new UsageException("unknown option --" + k);
        }
    }

    Path model() {
        String m = string("model", null);
        return m == null ? Engine.bundledModel() : Path.of(m);
    }

    EngineOptions engineOptions(int slots) {
        int threads = integer("threads", Math.max(1, Runtime.getRuntime().availableProcessors()));
        if (threads < 1) throw new UsageException("--threads must be at least 1");
        String kv = string("kv-cache-type", "F32");
        KVCache.Type kvType;
        try {
            kvType = KVCache.Type.valueOf(kv.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--kv-cache-type must be F32 or F16, got " + kv);
        }
        return EngineOptions.defaults().withThreads(threads).withSlots(slots).withContextSize(integer("ctx-size", 0))
                .withWarmup(false).withKvType(kvType);
    }
}
