package io.minnow.tokenizer;

import io.minnow.gguf.GGUFFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * llama.cpp's tokenizer test vectors (test-tokenizer-0: {@code ggml-vocab-*.gguf} with {@code .inp}/{@code .out}):
 * every case must give exactly the ids in {@code .out} (addSpecial=false, parseSpecial=false), and decoding them
 * must give back the input as llama.cpp defines it.
 */
class TokenizerVectorsTest {
    static final String[] VOCABS = {"llama-spm", "phi-3", "tinystories-sp512", "gpt-2", "starcoder", "refact",
            "falcon", "mpt", "deepseek-llm", "deepseek-coder"};

    private static final Map<String, GGUFFile> FILES = new ConcurrentHashMap<>();
    private static final Map<String, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();

    static Path resource(String name) {
        try {
            var url = TokenizerVectorsTest.class.getResource("/" + name);
            if (url == null) throw new IllegalStateException("missing test resource " + name);
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Tokenizer tokenizer(String vocab) {
        return TOKENIZERS.computeIfAbsent(vocab, v -> {
            GGUFFile f = GGUFFile.open(resource("tokenizers/ggml-vocab-" + v + ".gguf"));
            FILES.put(v, f);
            return Tokenizer.fromGGUF(f);
        });
    }

    @AfterAll
    static void close() {
        FILES.values().forEach(GGUFFile::close);
        FILES.clear();
        TOKENIZERS.clear();
    }

    /** test-tokenizer-0's read_tests: cases separated by "\n__ggml_vocab_test__\n", one .out line per case. */
    static List<Arguments> cases(String vocab) {
        try {
            byte[] raw = Files.readAllBytes(resource("tokenizers/ggml-vocab-" + vocab + ".gguf.inp"));
            byte[] sep = "\n__ggml_vocab_test__\n".getBytes(StandardCharsets.UTF_8);
            List<String> inputs = new ArrayList<>();
            int pos = 0;
            while (pos < raw.length) {
                int next = indexOf(raw, sep, pos);
                if (next < 0) {
                    inputs.add(new String(raw, pos, raw.length - pos, StandardCharsets.UTF_8));
                    break;
                }
                inputs.add(new String(raw, pos, next - pos, StandardCharsets.UTF_8));
                pos = next + sep.length;
            }
            List<String> outs = Files.readAllLines(resource("tokenizers/ggml-vocab-" + vocab + ".gguf.out"));
            assertEquals(inputs.size(), outs.size(), vocab + ": .inp and .out case counts differ");
            List<Arguments> args = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                String o = outs.get(i).strip();
                int[] ids = o.isEmpty() ? new int[0] : Arrays.stream(o.split(" ")).mapToInt(Integer::parseInt).toArray();
                args.add(Arguments.of(vocab, i, inputs.get(i), ids));
            }
            return args;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int indexOf(byte[] a, byte[] p, int from) {
        outer:
        for (int i = from; i + p.length <= a.length; i++) {
            for (int j = 0; j < p.length; j++) if (a[i + j] != p[j]) continue outer;
            return i;
        }
        return -1;
    }

    static Stream<Arguments> allCases() {
        return Arrays.stream(VOCABS).flatMap(v -> cases(v).stream());
    }

    @ParameterizedTest(name = "{0} #{1}")
    @MethodSource("allCases")
    void encodesLikeLlamaCpp(String vocab, int index, String text, int[] expected) {
        int[] got = tokenizer(vocab).encode(text, false, false);
        assertArrayEquals(expected, got, () -> vocab + " case " + index + " '" + text + "': got " + Arrays.toString(got));
    }

    @ParameterizedTest(name = "{0} #{1}")
    @MethodSource("allCases")
    void decodesBack(String vocab, int index, String text, int[] ids) {
        Tokenizer t = tokenizer(vocab);
        Vocabulary v = t.vocabulary();
        // the pieces are lossless: together they are the input (after SPM's added space prefix)
        ByteArrayOutputStream pieces = new ByteArrayOutputStream();
        for (int id : ids) pieces.writeBytes(t.tokenBytes(id));
        String prefix = v.addSpacePrefix() && !text.isEmpty() ? " " : "";
        assertEquals(prefix + text, pieces.toString(StandardCharsets.UTF_8), vocab + " case " + index + " pieces");
        // llama_detokenize drops that prefix space again; BPE vocabularies with clean_spaces rewrite " ?", " 's", ...
        String expected = text;
        if (v.cleanSpaces()) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            expected = new String(b, 0, AbstractTokenizer.cleanSpaces(b), StandardCharsets.UTF_8);
        }
        assertEquals(expected, t.decode(ids), vocab + " case " + index + " decode");
    }
}
