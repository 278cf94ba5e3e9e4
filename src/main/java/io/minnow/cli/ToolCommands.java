package io.minnow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.minnow.engine.Engine;
import io.minnow.gguf.GGMLType;
import io.minnow.model.tools.FileType;
import io.minnow.model.tools.ModelMaker;
import io.minnow.model.tools.ModelQuantizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** {@code make-model}, {@code quantize} and {@code bench}. */
final class ToolCommands {
    private ToolCommands() {}

    /** {@code make-model --shape NAME --type F16|Q8_0|Q4_0|Q4_K_M --out FILE [--seed S]}. */
    static int makeModel(Args a) {
        String shape = a.string("shape", null);
        String type = a.string("type", null);
        String out = a.string("out", null);
        long seed = a.longValue("seed", 42);
        a.checkAllUsed();
        if (shape == null || type == null || out == null) throw new Args.UsageException("--shape, --type and --out are required");
        ModelMaker.Shape s;
        FileType ft;
        try {
            s = ModelMaker.shape(shape);
            ft = FileType.parse(type);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
        long t0 = System.nanoTime();
        Map<GGMLType, Integer> counts;
        try {
            counts = ModelMaker.make(s, ft, seed, Path.of(out));
            a.out.printf("wrote %s (%s %s, seed %d): %.1f MiB, tensors %s, %.1f s%n", out, s.name(), ft, seed,
                    Files.size(Path.of(out)) / 1048576.0, counts, (System.nanoTime() - t0) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return 0;
    }

    /** {@code quantize --in FILE --out FILE --type Q8_0|Q4_0|Q4_K_M|F16}. */
    static int quantize(Args a) {
        String in = a.string("in", null), out = a.string("out", null), type = a.string("type", null);
        a.checkAllUsed();
        if (in == null || out == null || type == null) throw new Args.UsageException("--in, --out and --type are required");
        FileType ft;
        try {
            ft = FileType.parse(type);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
        try {
            var r = ModelQuantizer.quantize(Path.of(in), Path.of(out), ft);
            a.out.printf("wrote %s (%s): tensor data %.2f MiB -> %.2f MiB, tensors %s%n", out, ft, r.bytesIn() / 1048576.0,
                    r.bytesOut() / 1048576.0, r.tensorsByType());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return 0;
    }

    /**
     * {@code bench --model FILE [--threads N] [--prompt-tokens 128] [--gen-tokens 64] [--repetitions 5] [--depth 0]
     * [--json]}.
     */
    static int bench(Args a) {
        int pp = a.integer("prompt-tokens", 128), tg = a.integer("gen-tokens", 64), reps = a.integer("repetitions", 5);
        int depth = a.integer("depth", 0);
        boolean json = a.flag("json");
        if (pp < 1 || tg < 1 || reps < 1) {
            throw new Args.UsageException("--prompt-tokens, --gen-tokens and --repetitions must be >= 1");
        }
        if (depth < 0) throw new Args.UsageException("--depth must be >= 0");
        var options = a.engineOptions(1).withContextSize(depth + Math.max(pp, tg) + 1);
        var model = a.model();
        a.checkAllUsed();
        try (Engine engine = Engine.load(model, options, null)) {
            double loadMs = engine.loadNanos() / 1e6;
            Engine.BenchResult r = engine.bench(pp, tg, reps, depth, 1234);
            double rssMb = peakRssMb();
            if (json) {
                ObjectMapper m = new ObjectMapper();
                ObjectNode o = m.createObjectNode();
                o.put("pp_tokens_per_s", round(r.ppTokensPerS()));
                o.put("tg_tokens_per_s", round(r.tgTokensPerS()));
                o.put("tg_stddev", round(r.tgStddev()));
                o.put("load_ms", round(loadMs));
                o.put("ttft_ms", round(r.ttftMs()));
                o.put("peak_rss_mb", round(rssMb));
                a.out.println(o);
            } else {
                a.out.printf("model %s, %d threads, %d repetitions after a warm-up%n", engine.modelName(), options.threads(), reps);
                String at = depth > 0 ? " @ d" + depth : "";
                a.out.printf("  pp%-4d%s %8.2f ± %.2f tokens/s%n", pp, at, r.ppTokensPerS(), r.ppStddev());
                a.out.printf("  tg%-4d%s %8.2f ± %.2f tokens/s%n", tg, at, r.tgTokensPerS(), r.tgStddev());
                a.out.printf("  load %.1f ms, time to first token %.1f ms, peak RSS %.1f MiB%n", loadMs, r.ttftMs(), rssMb);
            }
        }
        return 0;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** VmHWM of /proc/self/status in MiB, or -1 where there is no /proc. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
