// A llama-bench equivalent for side-by-side runs (see build.sh): random tokens, prompt processing in one batch,
// generation one token per llama_decode, a warm-up run, the KV cache cleared before each repetition and, with a
// depth, refilled with that many random tokens (untimed, as llama-bench's -d); mean and standard deviation over
// repetitions, as llama-bench reports them. Usage: lbench MODEL [threads] [pp] [tg] [reps] [depth]
#include "llama.h"
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
static void quiet(lm_ggml_log_level, const char *, void *) {}
int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: lbench MODEL [threads] [pp] [tg] [reps] [depth]\n"); return 1; }
    int threads = argc > 2 ? atoi(argv[2]) : 2, pp = argc > 3 ? atoi(argv[3]) : 128, tg = argc > 4 ? atoi(argv[4]) : 64, reps = argc > 5 ? atoi(argv[5]) : 5;
    int depth = argc > 6 ? atoi(argv[6]) : 0;
    llama_log_set(quiet, nullptr);
    llama_backend_init();
    auto mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    llama_model *model = llama_model_load_from_file(argv[1], mp);
    if (!model) { fprintf(stderr, "load failed: %s\n", argv[1]); return 2; }
    auto cp = llama_context_default_params();
    cp.n_ctx = depth + pp + tg; cp.n_batch = 2048; cp.n_ubatch = 512;
    cp.n_threads = threads; cp.n_threads_batch = threads;
    llama_context *ctx = llama_init_from_model(model, cp);
    if (!ctx) { fprintf(stderr, "context failed\n"); return 3; }
    int nv = llama_vocab_n_tokens(llama_model_get_vocab(model));
    auto run_pp = [&]() {
        std::vector<llama_token> t(pp);
        for (int i = 0; i < pp; i++) t[i] = std::rand() % nv;
        if (llama_decode(ctx, llama_batch_get_one(t.data(), pp))) { fprintf(stderr, "decode failed\n"); exit(4); }
        llama_synchronize(ctx);
    };
    auto fill = [&]() {
        for (int done = 0; done < depth; done += 2048) {
            int n = depth - done < 2048 ? depth - done : 2048;
            std::vector<llama_token> t(n);
            for (int i = 0; i < n; i++) t[i] = std::rand() % nv;
            if (llama_decode(ctx, llama_batch_get_one(t.data(), n))) { fprintf(stderr, "decode failed\n"); exit(4); }
        }
        llama_synchronize(ctx);
    };
    auto run_tg = [&](int n) {
        llama_token tok = std::rand() % nv;
        for (int i = 0; i < n; i++) {
            if (llama_decode(ctx, llama_batch_get_one(&tok, 1))) { fprintf(stderr, "decode failed\n"); exit(4); }
            llama_synchronize(ctx);
            tok = std::rand() % nv;
        }
    };
    for (int test = 0; test < 2; test++) {
        bool isPp = test == 0;
        // warm-up
        llama_memory_clear(llama_get_memory(ctx), false);
        fill();
        if (isPp) run_pp(); else run_tg(1);
        std::vector<double> ts;
        for (int r = 0; r < reps; r++) {
            llama_memory_clear(llama_get_memory(ctx), false);
            fill();
            double t0 = now();
            if (isPp) run_pp(); else run_tg(tg);
            ts.push_back((isPp ? pp : tg) / (now() - t0));
        }
        double m = 0, s = 0;
        for (double v : ts) m += v;
        m /= ts.size();
        for (double v : ts) s += (v - m) * (v - m);
        s = ts.size() > 1 ? std::sqrt(s / (ts.size() - 1)) : 0;
        printf("%s %s%d t/s %.2f ± %.2f\n", argv[1], isPp ? "pp" : "tg", isPp ? pp : tg, m, s);
    }
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}
