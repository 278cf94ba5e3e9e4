package io.minnow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code bench-serve --url http://127.0.0.1:8080 [--concurrency 1,2,4,8] [--max-tokens 64] [--prompt-tokens 32]
 * [--rounds 2] [--history-tokens 1000] [--vocab 1000] [--temperature 0] [--top-p 1] [--http 1.1|2] [--api-key K]
 * [--json]}: drives a running server over HTTP (1.1 by default, one connection per client, as OpenAI's SDKs and curl
 * talk to an {@code http://} address; {@code --http 2} upgrades each connection to cleartext HTTP/2, the JDK client's
 * default) with streaming completions (prompts are random token ids, {@code ignore_eos} on) and reports aggregate
 * generated tokens/s (wall clock, prompts included), the aggregate decode rate (see {@link #decodeRate}) and
 * inter-token latency per concurrency, and the time to first token of a second turn that extends a long first turn
 * (prefix reuse) against the first turn's.
 */
final class BenchServeCommand {
    private BenchServeCommand() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One streamed request: when it was sent and when each token chunk arrived. */
    record Trace(long sentNanos, List<Long> chunkNanos) {
        double ttftMs() {
            return chunkNanos.isEmpty() ? Double.NaN : (chunkNanos.get(0) - sentNanos) / 1e6;
        }
    }

    static int run(Args a) {
        String url = a.string("url", "http://127.0.0.1:8080");
        int[] levels = Arrays.stream(a.string("concurrency", "1,2,4,8").split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        int maxTokens = a.integer("max-tokens", 64);
        int promptTokens = a.integer("prompt-tokens", 32);
        int rounds = a.integer("rounds", 2);
        int history = a.integer("history-tokens", 1000);
        int vocab = a.integer("vocab", 1000);
        String key = a.string("api-key", null);
        double temperature = Double.parseDouble(a.string("temperature", "0"));
        double topP = Double.parseDouble(a.string("top-p", "1"));
        boolean json = a.flag("json");
        String version = a.string("http", "1.1");
        a.checkAllUsed();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(httpVersion(version))
                .build();
        SplittableRandom rnd = new SplittableRandom(7);
        ObjectNode report = JSON.createObjectNode();
        ArrayNode rows = report.putArray("concurrency");
        // Warm-up, not measured: one full request alone and one round at the highest concurrency, so that every
        // kernel the sweep uses (single-row and batched) is compiled before the single-stream baseline is taken.
        level(http, url, key, rnd, 1, 1, promptTokens, vocab, maxTokens, temperature, topP);
        level(http, url, key, rnd, Arrays.stream(levels).max().orElse(1), 1, promptTokens, vocab, maxTokens, temperature, topP);
        double singleItl = Double.NaN, single = Double.NaN, singleDecode = Double.NaN;
        for (int c : levels) {
            long t0 = System.nanoTime();
            List<Trace> traces = level(http, url, key, rnd, c, rounds, promptTokens, vocab, maxTokens, temperature, topP);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long tokens = traces.stream().mapToLong(t -> t.chunkNanos.size()).sum();
            double[] itl = traces.stream().flatMapToDouble(t -> {
                double[] d = new double[Math.max(0, t.chunkNanos.size() - 1)];
                for (int i = 1; i < t.chunkNanos.size(); i++) d[i - 1] = (t.chunkNanos.get(i) - t.chunkNanos.get(i - 1)) / 1e6;
                return Arrays.stream(d);
            }).sorted().toArray();
            double tps = tokens / seconds;
            double p50 = percentile(itl, 0.50), p99 = percentile(itl, 0.99);
            double decode = decodeRate(traces, c);
            if (c == 1) {
                single = tps;
                singleItl = p50;
                singleDecode = decode;
            }
            ObjectNode row = rows.addObject();
            row.put("clients", c).put("generated_tokens", tokens).put("tokens_per_s", tps).put("itl_p50_ms", p50).put("itl_p99_ms", p99)
                    .put("ttft_mean_ms", traces.stream().mapToDouble(Trace::ttftMs).average().orElse(Double.NaN))
                    .put("decode_tokens_per_s", decode);
            if (!Double.isNaN(single)) row.put("speedup_vs_1", tps / single);
            if (!Double.isNaN(singleDecode)) row.put("decode_speedup_vs_1", decode / singleDecode);
            if (!Double.isNaN(singleItl)) row.put("itl_p99_vs_single_p50", p99 / singleItl);
            if (!json) {
                a.out.printf("%2d clients: %7.1f tokens/s (x%.2f), decode %6.1f tokens/s (x%.2f), ITL p50 %.1f ms, p99 %.1f ms%n",
                        c, tps, Double.isNaN(single) ? 1.0 : tps / single, decode,
                        Double.isNaN(singleDecode) ? 1.0 : decode / singleDecode, p50, p99);
            }
        }
        if (history > 0) {
            int[] first = randomPrompt(rnd, history, vocab);
            int[] second = Arrays.copyOf(first, history + 50);
            for (int i = history; i < second.length; i++) second[i] = 100 + rnd.nextInt(vocab - 100);
            Trace t1 = stream(http, url, key, first, 16, temperature, topP);
            Trace t2 = stream(http, url, key, second, 16, temperature, topP);
            report.put("first_turn_ttft_ms", t1.ttftMs()).put("second_turn_ttft_ms", t2.ttftMs()).put("second_over_first", t2.ttftMs() / t1.ttftMs());
            if (!json) {
                a.out.printf("second turn (%d + 50 tokens): TTFT %.1f ms vs first turn (%d tokens) %.1f ms: %.1f%%%n",
                        history, t2.ttftMs(), history, t1.ttftMs(), 100 * t2.ttftMs() / t1.ttftMs());
            }
        }
        if (json) a.out.println(report);
        return 0;
    }

    static HttpClient.Version httpVersion(String v) {
        return switch (v) {
            case "1.1" -> HttpClient.Version.HTTP_1_1;
            case "2" -> HttpClient.Version.HTTP_2;
            default -> throw new Args.UsageException("--http must be 1.1 or 2, got '" + v + "'");
        };
    }

    /**
     * Aggregate decode rate of {@code clients} streams: clients / the mean time per output token after the first
     * (each request's span from its first to its last token over its tokens after the first, weighted by tokens).
     * Unlike the wall-clock rate it leaves out the prompts, so it measures the decoding steps alone.
     */
    static double decodeRate(List<Trace> traces, int clients) {
        long tokens = 0;
        long nanos = 0;
        for (Trace t : traces) {
            int n = t.chunkNanos().size();
            if (n < 2) continue;
            tokens += n - 1;
            nanos += t.chunkNanos().get(n - 1) - t.chunkNanos().get(0);
        }
        return tokens == 0 || nanos == 0 ? Double.NaN : clients * tokens / (nanos / 1e9);
    }

    static int[] randomPrompt(SplittableRandom r, int n, int vocab) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = 100 + r.nextInt(Math.max(1, vocab - 100));
        return p;
    }

    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1 < 0 ? 0 : (int) Math.ceil(q * sorted.length) - 1)];
    }

    /** {@code clients} concurrent clients, each sending {@code rounds} streamed requests one after another. */
    private static List<Trace> level(HttpClient http, String url, String key, SplittableRandom rnd, int clients, int rounds,
            int promptTokens, int vocab, int maxTokens, double temperature, double topP) {
        List<Trace> traces = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int client = 0; client < clients; client++) {
                long seed = rnd.nextLong();
                fs.add(pool.submit(() -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    for (int i = 0; i < rounds; i++) traces.add(stream(http, url, key, randomPrompt(r, promptTokens, vocab), maxTokens, temperature, topP));
                }));
            }
            for (Future<?> f : fs) f.get();
        } catch (Exception e) {
            throw new IllegalStateException("bench-serve: " + e.getMessage(), e);
        }
        return traces;
    }

    /** Sends one streaming completion and records the arrival time of every chunk that carries text. */
    static Trace stream(HttpClient http, String url, String key, int[] prompt, int maxTokens, double temperature, double topP) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode p = body.putArray("prompt");
        for (int t : prompt) p.add(t);
        body.put("max_tokens", maxTokens).put("stream", true).put("ignore_eos", true).put("temperature", temperature);
        if (topP < 1) body.put("top_p", topP);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + "/v1/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (key != null) b.header("Authorization", "Bearer " + key);
        long sent = System.nanoTime();
        List<Long> chunks = new ArrayList<>();
        try {
            HttpResponse<java.io.InputStream> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (resp.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + resp.statusCode() + " from " + url + ": " + new String(resp.body().readAllBytes(), StandardCharsets.UTF_8));
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (!line.startsWith("data:")) continue;
                    String data = line.substring(5).trim();
                    if (data.equals("[DONE]")) break;
                    JsonNode choices = JSON.readTree(data).path("choices");
                    if (choices.size() > 0 && choices.get(0).path("finish_reason").isNull()) chunks.add(System.nanoTime());
                    else if (choices.size() > 0 && !choices.get(0).path("text").asText().isEmpty()) chunks.add(System.nanoTime());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot reach " + url + ": " + e.getMessage(), e);
        }
        return new Trace(sent, chunks);
    }
}
