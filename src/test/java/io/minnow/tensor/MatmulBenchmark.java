package io.minnow.tensor;

import io.minnow.gguf.GGMLType;
import java.lang.foreign.Arena;
import java.util.Collection;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH benchmark of {@link Tensor#matmul} for every format: a {@code rows x cols} weight matrix (larger than the
 * caches, so the weights stream from memory) against {@code batch} activation rows on a {@link Parallel} pool.
 * Not a test (surefire does not pick it up); run it with the {@code main} below, see docs/performance.md. The
 * {@code main} prints, per format, GB/s of weights streamed and the fraction of the machine's read bandwidth
 * ({@code -Dminnow.bench.bandwidth}, GB/s, default 22).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class MatmulBenchmark {
    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    public String type;

    @Param({"1"})
    public int batch;

    @Param({"2"})
    public int threads;

    @Param({"4096"})
    public int rows;

    @Param({"4096"})
    public int cols;

    private Arena arena;
    private Tensor tensor;
    private Parallel pool;
    private float[] x;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        GGMLType t = GGMLType.valueOf(type);
        Random rnd = new Random(42);
        arena = Arena.ofShared();
        tensor = TensorFixtures.tensor(t, rows, cols, TensorFixtures.randomBytes(t, rows, cols, rnd), arena);
        pool = new Parallel(threads);
        x = TensorFixtures.randomFloats(batch * cols, rnd);
        out = new float[batch * rows];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float[] matmul() {
        tensor.matmul(pool, x, batch, out, rows);
        return out;
    }

    /** Runs the benchmark (JMH command-line options accepted, e.g. {@code -p type=Q4_K}) and prints GB/s. */
    public static void main(String[] args) throws Exception {
        Options cli = new CommandLineOptions(args);
        Options opts = new OptionsBuilder().parent(cli).include(MatmulBenchmark.class.getSimpleName()).build();
        Collection<RunResult> results = new Runner(opts).run();
        double bandwidth = Double.parseDouble(System.getProperty("minnow.bench.bandwidth", "22"));
        System.out.printf(Locale.ROOT, "%n%-6s %6s %6s %10s %9s %8s %s%n", "type", "batch", "thr", "matmul/s", "GB/s",
                "of " + bandwidth, "GFLOP/s");
        for (RunResult r : results) {
            var p = r.getParams();
            GGMLType t = GGMLType.valueOf(p.getParam("type"));
            int rows = Integer.parseInt(p.getParam("rows")), cols = Integer.parseInt(p.getParam("cols"));
            int batch = Integer.parseInt(p.getParam("batch"));
            double perSec = r.getPrimaryResult().getScore();
            double gb = perSec * t.byteSize(cols) * rows / 1e9;
            double gflops = perSec * 2.0 * rows * cols * batch / 1e9;
            System.out.printf(Locale.ROOT, "%-6s %6d %6s %10.1f %9.2f %7.0f%% %7.1f%n", t, batch,
                    p.getParam("threads"), perSec, gb, 100 * gb / bandwidth, gflops);
        }
    }
}
