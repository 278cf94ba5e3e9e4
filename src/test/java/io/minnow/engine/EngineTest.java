package io.minnow.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minnow.Fixtures;
import io.minnow.sampling.SamplingParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine on the bundled King James model: generation, prefix reuse, batching, cancellation, limits. */
class EngineTest {
    static Engine engine;
    static final EngineOptions OPTIONS = new EngineOptions(2, 0, 4, 64, 16, Duration.ofSeconds(30), false);

    @BeforeAll
    static void load() {
        engine = Engine.load(Fixtures.model("kjv-tiny-q8_0"), OPTIONS, null);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    static GenerationRequest greedy(int[] prompt, int n) {
        return GenerationRequest.greedy(prompt, n);
    }

    @Test
    void greedyGenerationReproducesTheReference() {
        for (Fixtures.Prompt p : Fixtures.expected("kjv-tiny-q8_0")) {
            int[] prompt = engine.tokenizer().encode(p.text(), true, false);
            assertArrayEquals(p.promptTokens(), prompt, "prompt tokens of '" + p.text() + "'");
            if (p.refGap() > 4 * 5e-3) {
                Engine.Result r = engine.generate(greedy(prompt, 24));
                assertArrayEquals(p.refGreedy(), r.tokens(), "greedy tokens of '" + p.text() + "'");
                assertEquals(FinishReason.LENGTH, r.finishReason());
                assertEquals(engine.tokenizer().decode(r.tokens()), r.text());
            }
        }
    }

    @Test
    void prefixReuseGivesTheSameTokens() {
        int[] turn1 = engine.tokenizer().encode("And the LORD said unto Moses,", true, false);
        Engine.Result first = engine.generate(greedy(turn1, 12));
        int[] turn2 = new int[turn1.length + first.tokens().length + 3];
        System.arraycopy(turn1, 0, turn2, 0, turn1.length);
        System.arraycopy(first.tokens(), 0, turn2, turn1.length, first.tokens().length);
        int[] more = engine.tokenizer().encode(" And", false, false);
        System.arraycopy(more, 0, turn2, turn1.length + first.tokens().length, Math.min(3, more.length));
        turn2 = java.util.Arrays.copyOf(turn2, turn1.length + first.tokens().length + Math.min(3, more.length));
        Engine.Result reused = engine.generate(greedy(turn2, 12));
        assertTrue(reused.usage().cachedTokens() >= turn1.length, "cached " + reused.usage().cachedTokens());
        // the same request through a fresh engine that has nothing cached
        try (Engine fresh = Engine.load(Fixtures.model("kjv-tiny-q8_0"), OPTIONS, null)) {
            Engine.Result cold = fresh.generate(greedy(turn2, 12));
            assertEquals(0, cold.usage().cachedTokens());
            assertArrayEquals(cold.tokens(), reused.tokens());
        }
    }

    @Test
    void concurrentSequencesMatchTheirSoloRuns() throws Exception {
        String[] texts = {"In the beginning", "And the LORD said unto Moses,", "Blessed are the", "And it came to pass, when the king heard"};
        int[][] solo = new int[texts.length][];
        for (int i = 0; i < texts.length; i++) {
            solo[i] = engine.generate(greedy(engine.tokenizer().encode(texts[i], true, false), 20 + i)).tokens();
        }
        List<CompletableFuture<Engine.Result>> all = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            int[] prompt = engine.tokenizer().encode(texts[i], true, false);
            int n = 20 + i;
            // distinct sessions and no reuse benefit: each prompt differs
            all.add(CompletableFuture.supplyAsync(() -> engine.generate(greedy(prompt, n))));
        }
        for (int i = 0; i < texts.length; i++) {
            assertArrayEquals(solo[i], all.get(i).get(60, TimeUnit.SECONDS).tokens(), "sequence " + i);
        }
        assertEquals(0, engine.stats().busySlots());
    }

    @Test
    void cancelReturnsTheSlot() throws Exception {
        CountDownLatch started = new CountDownLatch(3);
        CompletableFuture<FinishReason> done = new CompletableFuture<>();
        var req = new GenerationRequest(engine.tokenizer().encode("In the beginning", true, false), 200,
                SamplingParams.greedy(), List.of(), true, -1, false, null);
        GenerationHandle h = engine.submit(req, new GenerationListener() {
            @Override
            public void onToken(int token, String text, TokenLogprob lp) {
                started.countDown();
            }

            @Override
            public void onFinish(FinishReason reason, String text, Usage usage) {
                done.complete(reason);
            }
        });
        assertTrue(started.await(30, TimeUnit.SECONDS));
        h.cancel();
        assertEquals(FinishReason.CANCELLED, done.get(30, TimeUnit.SECONDS));
        assertEquals(0, engine.stats().busySlots());
        assertEquals(0, engine.stats().running());
    }

    /** Sequences in each forward pass, in order. */
    static final class PassLog implements EngineObserver {
        final List<Integer> sequences = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void step(int tokens, int seqs, long nanos) {
            sequences.add(seqs);
        }
    }

    @Test
    void aBurstArrivingAtAnIdleEngineSharesItsFirstPass() throws Exception {
        PassLog log = new PassLog();
        // a window far longer than the gap between the two arrivals, so that a slow machine cannot break the test
        EngineOptions windowed = OPTIONS.withBatchWindow(Duration.ofMillis(400));
        try (Engine e = Engine.load(Fixtures.model("kjv-tiny-q8_0"), windowed, log)) {
            int[] a = e.tokenizer().encode("In the beginning", true, false);
            int[] b = e.tokenizer().encode("And the LORD said unto Moses,", true, false);
            CompletableFuture<Engine.Result> first = CompletableFuture.supplyAsync(() -> e.generate(greedy(a, 4)));
            Thread.sleep(30);
            Engine.Result second = e.generate(greedy(b, 4));
            first.get(30, TimeUnit.SECONDS);
            assertEquals(4, second.tokens().length);
            assertEquals(2, log.sequences.get(0), "sequences in each pass: " + log.sequences);
        }
    }

    @Test
    void theBatchWindowMustNotBeNegative() {
        assertThrows(IllegalArgumentException.class, () -> OPTIONS.withBatchWindow(Duration.ofMillis(-1)));
    }

    @Test
    void stopStringsEndGeneration() {
        int[] prompt = engine.tokenizer().encode("In the beginning", true, false);
        Engine.Result plain = engine.generate(greedy(prompt, 24));
        int comma = plain.text().indexOf(':');
        assertTrue(comma > 0, plain.text());
        var req = new GenerationRequest(prompt, 24, SamplingParams.greedy(), List.of(":"), false, -1, false, null);
        Engine.Result stopped = engine.generate(req);
        assertEquals(FinishReason.STOP, stopped.finishReason());
        assertEquals(plain.text().substring(0, comma), stopped.text());
    }

    @Test
    void promptLogprobsWithZeroMaxTokens() {
        int[] prompt = engine.tokenizer().encode("In the beginning God", true, false);
        var req = new GenerationRequest(prompt, 0, SamplingParams.greedy(), List.of(), false, 2, true, null);
        Engine.Result r = engine.generate(req);
        assertEquals(0, r.tokens().length);
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(prompt.length, r.promptLogprobs().size());
        assertNull(r.promptLogprobs().get(0));
        float[][] logits = engine.logits(prompt);
        for (int i = 1; i < prompt.length; i++) {
            TokenLogprob lp = r.promptLogprobs().get(i);
            assertEquals(prompt[i], lp.token());
            float[] ls = new float[logits[i - 1].length];
            io.minnow.sampling.Sampler.logSoftmax(logits[i - 1], 0, ls.length, ls);
            assertEquals(ls[prompt[i]], lp.logprob(), 1e-4);
            assertEquals(2, lp.top().size());
            assertTrue(lp.top().get(0).logprob() >= lp.top().get(1).logprob());
        }
    }

    @Test
    void generationStopsAtTheContext() {
        int ctx = engine.contextSize();
        int[] prompt = new int[ctx - 3];
        java.util.Arrays.fill(prompt, engine.tokenizer().encode(" the", false, false)[0]);
        prompt[0] = engine.tokenizer().bos();
        var r = engine.generate(new GenerationRequest(prompt, 50, SamplingParams.greedy(), List.of(), true, -1, false, null));
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(4, r.tokens().length); // positions ctx-3 .. ctx-1 feed 3 tokens; the 4th is sampled from the last
        EngineException e = assertThrows(EngineException.class, () -> engine.submit(greedy(new int[ctx + 1], 1), null));
        assertEquals(EngineException.Kind.CONTEXT_LENGTH_EXCEEDED, e.kind());
        assertTrue(e.getMessage().contains(String.valueOf(ctx + 1)) && e.getMessage().contains(String.valueOf(ctx)));
    }

    @Test
    void kvBudgetBoundsTheSlots() {
        long perSlot = io.minnow.model.KVCache.bytesFor(engine.config(), engine.contextSize());
        try (Engine two = Engine.load(Fixtures.model("kjv-tiny-q8_0"), OPTIONS.withSlots(8).withKvBudget(2 * perSlot + perSlot / 2), null)) {
            assertEquals(2, two.stats().slots());
            assertEquals(2 * perSlot, two.stats().kvBytesTotal());
        }
        EngineException e = assertThrows(EngineException.class,
                () -> Engine.load(Fixtures.model("kjv-tiny-q8_0"), OPTIONS.withKvBudget(perSlot / 2), null));
        assertTrue(e.getMessage().contains("too small for one slot"), e.getMessage());
    }

    @Test
    void f16KvCacheHalvesTheMemoryWithinTheParityTolerance() {
        Fixtures.Prompt p = Fixtures.expected("kjv-tiny-f32").get(2);
        int[] seq = java.util.stream.IntStream.concat(java.util.Arrays.stream(p.promptTokens()), java.util.Arrays.stream(p.greedyTokens())).toArray();
        try (Engine f16 = Engine.load(Fixtures.model("kjv-tiny-f32"), OPTIONS.withKvType(io.minnow.model.KVCache.Type.F16), null);
                Engine f32 = Engine.load(Fixtures.model("kjv-tiny-f32"), OPTIONS, null)) {
            assertEquals(f32.stats().kvBytesTotal() / 2, f16.stats().kvBytesTotal());
            float[][] a = f16.logits(seq), b = f32.logits(seq);
            double maxErr = 0;
            for (int step = 0; step < p.top().size(); step++) {
                for (double[] idLogit : p.top().get(step)) {
                    int pos = p.promptTokens().length - 1 + step;
                    maxErr = Math.max(maxErr, Math.abs(a[pos][(int) idLogit[0]] - idLogit[1]));
                }
            }
            // half-precision storage: the core's tolerance for half-precision data (5e-3); measured 3.7e-3
            assertTrue(maxErr < 5e-3, "F16 KV cache vs llama.cpp: " + maxErr);
            assertArrayEquals(p.greedyTokens(), f16.generate(greedy(p.promptTokens(), 24)).tokens());
        }
    }

    @Test
    void sameSeedSameTokens() {
        int[] prompt = engine.tokenizer().encode("And the LORD", true, false);
        var sampling = SamplingParams.builder().temperature(0.9f).topP(0.95f).seed(1234).build();
        var req = new GenerationRequest(prompt, 16, sampling, List.of(), true, -1, false, null);
        assertArrayEquals(engine.generate(req).tokens(), engine.generate(req).tokens());
        var other = new GenerationRequest(prompt, 16, sampling.withSeed(99), List.of(), true, -1, false, null);
        assertFalse(java.util.Arrays.equals(engine.generate(req).tokens(), engine.generate(other).tokens()));
    }

    @Test
    void seededSequencesSampledTogetherMatchTheirSoloRuns() throws Exception {
        // the rows of one pass are sampled on the pool's threads: each sequence must still draw from its own sampler
        String[] texts = {"In the beginning", "And the LORD said unto Moses,", "Blessed are the",
            "And it came to pass"};
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            var sampling = SamplingParams.builder().temperature(1.2f).topK(40).repetitionPenalty(1.1f).seed(7 + i)
                    .build();
            int[] prompt = engine.tokenizer().encode(texts[i], true, false);
            reqs.add(new GenerationRequest(prompt, 16, sampling, List.of(), true, -1, false, null));
        }
        List<int[]> solo = new ArrayList<>();
        for (GenerationRequest r : reqs) solo.add(engine.generate(r).tokens());
        List<CompletableFuture<Engine.Result>> together = new ArrayList<>();
        for (GenerationRequest r : reqs) together.add(CompletableFuture.supplyAsync(() -> engine.generate(r)));
        for (int i = 0; i < reqs.size(); i++) {
            assertArrayEquals(solo.get(i), together.get(i).get(60, TimeUnit.SECONDS).tokens(), texts[i]);
        }
    }
}
