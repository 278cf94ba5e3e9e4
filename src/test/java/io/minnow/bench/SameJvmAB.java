package io.minnow.bench;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An A/B comparison of two builds in one JVM. On the noisy 2-vCPU VMs this project is measured on, whole JVM runs
 * fall into slow windows of up to 1.5×, so two builds timed in separate runs differ by more than most changes.
 * Here each build's application jar gets its own class loader (the JDK as parent), and the builds take turns:
 * {@code rounds} rounds of 64 passes each, the order alternating, the first 4 rounds dropped as warm-up. It prints
 * each build's median of round medians with its quartiles, and the ratio B / A.
 *
 * <pre>
 * ./mvnw -q test-compile
 * java --add-modules jdk.incubator.vector -cp target/test-classes io.minnow.bench.SameJvmAB \
 *     MODEL.gguf A/quarkus-app/app/minnow-*.jar B/quarkus-app/app/minnow-*.jar [MODE] [threads] [rounds]
 * </pre>
 * {@code decode} (the default) times single-token forward passes at positions 0-63, as {@code bench}'s tg does;
 * {@code decode2}, {@code decode4} and {@code decode8} time passes of 2, 4 or 8 sequences decoding together (one
 * token each, as the server's continuous batching runs them); {@code matmuls} times one pass over every weight
 * matrix.
 */
public final class SameJvmAB {
    private SameJvmAB() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: SameJvmAB MODEL JAR_A JAR_B [decode|decode2|decode4|decode8|matmuls] [threads]"
                    + " [rounds]");
            System.exit(2);
        }
        String model = args[0];
        String mode = args.length > 3 ? args[3] : "decode";
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 24;
        URL runner = SameJvmAB.class.getProtectionDomain().getCodeSource().getLocation();
        Method[] pass = new Method[2];
        for (int i = 0; i < 2; i++) {
            Path jar = Path.of(args[1 + i]);
            if (!Files.isRegularFile(jar)) {
                System.err.println(jar + ": no such jar");
                System.exit(2);
            }
            // the build's jar first, so its io.minnow classes win over any in the runner's folder
            var loader = new URLClassLoader(new URL[] {jar.toUri().toURL(), runner},
                    ClassLoader.getPlatformClassLoader());
            Class<?> c = loader.loadClass(AbRunner.class.getName());
            c.getMethod("init", String.class, int.class).invoke(null, model, threads);
            pass[i] = c.getMethod(mode, int.class);
        }
        List<List<Double>> medians = List.of(new ArrayList<>(), new ArrayList<>());
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < 2; k++) {
                int i = (k + round) % 2;
                long[] ns = (long[]) pass[i].invoke(null, 64);
                Arrays.sort(ns);
                if (round >= 4) medians.get(i).add(ns[ns.length / 2] / 1e6);
            }
        }
        double[] mid = new double[2];
        for (int i = 0; i < 2; i++) {
            List<Double> m = medians.get(i);
            m.sort(null);
            mid[i] = m.get(m.size() / 2);
            System.out.printf(Locale.ROOT, "%s %s: %.3f ms (quartiles %.3f-%.3f, %d rounds)%n", i == 0 ? "A" : "B",
                    args[1 + i], mid[i], m.get(m.size() / 4), m.get(3 * m.size() / 4), m.size());
        }
        System.out.printf(Locale.ROOT, "B / A = %.3f%n", mid[1] / mid[0]);
        System.exit(0);
    }
}
