package io.minnow.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minnow.gguf.GGUFFile;
import io.minnow.gguf.GGUFWriter;
import io.minnow.gguf.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bundled models' vocabularies against the prompt tokens and pieces llama.cpp recorded for them. */
class ModelTokenizerTest {

    private static int[] ints(JsonNode n) {
        int[] a = new int[n.size()];
        for (int i = 0; i < a.length; i++) a[i] = n.get(i).asInt();
        return a;
    }

    /** Encodes each prompt with addSpecial=true and checks prompt_tokens; checks every greedy piece's bytes. */
    private static void checkExpected(Path gguf, Path json, boolean spacePrefix) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        try (GGUFFile f = GGUFFile.open(gguf)) {
            Tokenizer t = Tokenizer.fromGGUF(f);
            assertEquals(root.get("n_vocab").asInt(), t.vocabSize());
            for (JsonNode p : root.get("prompts")) {
                String text = p.get("text").asText();
                int[] expected = ints(p.get("prompt_tokens"));
                assertArrayEquals(expected, t.encode(text, true, false), text);
                // llama_detokenize keeps SPM's prefix space when the sequence starts with BOS
                assertEquals((spacePrefix ? " " : "") + text, t.decode(expected), text);
                int[] greedy = ints(p.get("greedy_tokens"));
                JsonNode hex = p.get("greedy_pieces_hex");
                for (int i = 0; i < greedy.length; i++) {
                    assertEquals(hex.get(i).asText(), HexFormat.of().formatHex(t.tokenBytes(greedy[i])),
                            "piece of token " + greedy[i]);
                }
            }
        }
    }

    @Test
    void kjvBundledModelMatchesLlamaCpp() throws IOException {
        Path model = Path.of("models/kjv-tiny-q8_0.gguf");
        checkExpected(model, TokenizerVectorsTest.resource("expected/kjv-tiny-q8_0.json"), false);
        try (GGUFFile f = GGUFFile.open(model)) {
            Tokenizer t = Tokenizer.fromGGUF(f);
            assertEquals(2047, t.bos());
            assertEquals(2047, t.eos());
            assertTrue(t.endOfGeneration().contains(2047));
            assertEquals(2047, t.encode("In the beginning", true, false)[0]);
            assertEquals(" of the LORD is", t.decode(new int[] {268, 258, 341, 334}));
        }
    }

    @Test
    void llamaTinyMatchesLlamaCpp() throws IOException {
        checkExpected(TokenizerVectorsTest.resource("models/llama-tiny-q4_0.gguf"),
                TokenizerVectorsTest.resource("expected/llama-tiny-f32.json"), true);
    }

    @Test
    void parseSpecialRecognisesControlTokens() {
        Tokenizer t = TokenizerVectorsTest.tokenizer("llama-spm");
        int[] parsed = t.encode("<s>Hello", false, true);
        assertEquals(1, parsed[0]);
        // after a special token SPM adds the space prefix again: "▁Hello"
        assertArrayEquals(t.encode("Hello", false, false), java.util.Arrays.copyOfRange(parsed, 1, parsed.length));
        assertNotEquals(1, t.encode("<s>Hello", false, false)[0]);
        assertTrue(t.isControl(1));
        assertEquals("<s>", t.tokenText(1));
        assertEquals(0, t.tokenBytes(1).length);
        assertEquals("<s>", new String(t.tokenBytes(1, true), StandardCharsets.UTF_8));
        assertArrayEquals(new int[] {1}, t.encode("", true, false));
    }

    @Test
    void endOfGenerationFollowsLlamaCpp() {
        Tokenizer phi3 = TokenizerVectorsTest.tokenizer("phi-3");
        int end = phi3.vocabulary().id("<|end|>");
        assertTrue(end >= 0);
        assertTrue(phi3.endOfGeneration().contains(end));
        assertTrue(phi3.endOfGeneration().contains(phi3.eos()));
        assertTrue(phi3.isControl(end));
        int[] ids = phi3.encode("<|user|>Hi<|end|>", true, true);
        assertEquals(1, ids[0]);
        assertEquals(end, ids[ids.length - 1]);

        Tokenizer gpt2 = TokenizerVectorsTest.tokenizer("gpt-2");
        assertEquals(50256, gpt2.eos());
        assertTrue(gpt2.endOfGeneration().contains(50256));
        // gpt2 BPE: add_bos_token absent -> llama.cpp adds no BOS
        assertArrayEquals(gpt2.encode("Hello", false, false), gpt2.encode("Hello", true, false));
        assertTrue(TokenizerVectorsTest.tokenizer("llama-spm").endOfGeneration().contains(2));
    }

    @Test
    void rejectsUnsupportedModelsNamingTheFile(@TempDir Path dir) throws IOException {
        Path bert = dir.resolve("bert-vocab.gguf");
        new GGUFWriter().put(Names.GENERAL_ARCHITECTURE, "bert").put(Names.TOKENIZER_MODEL, "bert")
                .put(Names.TOKENIZER_TOKENS, new String[] {"[PAD]", "a"}).write(bert);
        try (GGUFFile f = GGUFFile.open(bert)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromGGUF(f));
            assertTrue(e.getMessage().contains("bert-vocab.gguf"), e.getMessage());
            assertTrue(e.getMessage().contains("'bert'"), e.getMessage());
        }
    }

    @Test
    void largeVocabularyLoadsQuickly() {
        long t0 = System.nanoTime();
        try (GGUFFile f = GGUFFile.open(TokenizerVectorsTest.resource("tokenizers/ggml-vocab-deepseek-llm.gguf"))) {
            long t1 = System.nanoTime();
            Tokenizer t = Tokenizer.fromGGUF(f);
            long ms = (System.nanoTime() - t1) / 1_000_000;
            assertEquals(102400, t.vocabSize());
            assertTrue(ms < 2000, "vocabulary of 102400 tokens took " + ms + " ms (file open " + (t1 - t0) / 1_000_000 + " ms)");
            assertFalse(t.endOfGeneration().isEmpty());
        }
    }
}
