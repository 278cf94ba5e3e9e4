package io.minnow.model.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minnow.Fixtures;
import io.minnow.gguf.GGUFFile;
import io.minnow.gguf.Names;
import io.minnow.gguf.TensorInfo;
import io.minnow.model.Architectures;
import io.minnow.model.Batch;
import io.minnow.model.KVCache;
import io.minnow.model.Model;
import io.minnow.tensor.Parallel;
import io.minnow.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code quantize} on llama-tiny-f32 against the files llama-quantize made from the same F32 file (the fixtures):
 * every tensor must get llama.cpp's type, and the bytes must be llama.cpp's bytes (ggml's reference quantizers
 * are deterministic and llama-quantize uses them when there is no importance matrix). The result must load and
 * give logits close to the F32 model's.
 */
class ModelQuantizerTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"Q8_0, llama-tiny-q8_0, 0.5", "Q4_0, llama-tiny-q4_0, 5", "Q4_K_M, llama-tiny-q4_k_m, 4"})
    void matchesLlamaQuantize(String type, String reference, double maxLogitError) throws Exception {
        Path out = tmp.resolve(type + ".gguf");
        ModelQuantizer.quantize(Fixtures.model("llama-tiny-f32"), out, FileType.parse(type));
        try (GGUFFile mine = GGUFFile.open(out); GGUFFile ref = GGUFFile.open(Fixtures.model(reference))) {
            assertEquals(FileType.parse(type).id, mine.getInt(Names.GENERAL_FILE_TYPE));
            assertEquals(ref.tensors().keySet(), mine.tensors().keySet());
            List<String> differing = new ArrayList<>();
            for (TensorInfo r : ref.tensors().values()) {
                TensorInfo m = mine.tensor(r.name());
                assertEquals(r.type(), m.type(), r.name() + " type");
                if (r.data().mismatch(m.data()) != -1) differing.add(r.name());
            }
            assertTrue(differing.isEmpty(), "tensors whose bytes differ from llama-quantize's: " + differing);
            // metadata survives with its value types
            assertEquals(ref.getInt("llama.block_count"), mine.getInt("llama.block_count"));
            assertEquals(ref.metadataType("llama.block_count"), mine.metadataType("llama.block_count"));
            assertEquals(ref.getStringArray(Names.TOKENIZER_TOKENS).length, mine.getStringArray(Names.TOKENIZER_TOKENS).length);
        }
        // and it runs: the same logits as llama-quantize's file (the bytes are equal; the two runs may differ in the
        // last bits only, because a vector lane reduction adds in another order once the JIT has compiled the kernel),
        // and within the format's error of the F32 model's (these random-weight logits span about +-15)
        float[] q = lastLogits(out);
        org.junit.jupiter.api.Assertions.assertArrayEquals(lastLogits(Fixtures.model(reference)), q, 1e-4f);
        float[] f32 = lastLogits(Fixtures.model("llama-tiny-f32"));
        double max = 0;
        for (int i = 0; i < f32.length; i++) max = Math.max(max, Math.abs(f32[i] - q[i]));
        assertTrue(max > 0 && max < maxLogitError, type + ": max |logit - f32 logit| = " + max);
    }

    static float[] lastLogits(Path file) {
        try (GGUFFile f = GGUFFile.open(file); Parallel pool = new Parallel(2)) {
            Model m = Architectures.load(f);
            KVCache cache = m.newCache(16);
            int[] tokens = {1, 400, 401, 300, 77, 12};
            Batch b = new Batch(tokens.length);
            for (int i = 0; i < tokens.length; i++) b.add(tokens[i], i, cache, i == tokens.length - 1);
            float[] logits = new float[m.config().nVocab];
            m.forward(pool, b, logits);
            return logits;
        }
    }
}
