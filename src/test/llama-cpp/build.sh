#!/usr/bin/env bash
# Builds llama.cpp's CPU backend and `lbench` (a llama-bench equivalent, lbench.cpp) for side-by-side
# benchmarks on this machine. Not part of the test run.
#
# llama.cpp's own repository is not reachable from the project's machines; npm is. The npm package
# llama.rn (React Native bindings, MIT, like llama.cpp) ships llama.cpp's complete sources (ggml with the
# x86 kernels and repacking, llama, every model graph) under cpp/, with the ggml symbols prefixed lm_.
# It has no CMake files, so this script compiles them directly with the flags of a native CMake build
# (GGML_NATIVE, OpenMP). AMX is left out: this VM advertises it, but its tile instructions fault here.
#
#   src/test/llama-cpp/build.sh [WORKDIR]     (default target/llama-cpp; about 6 minutes on 2 cores)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-target/llama-cpp}
version=${LLAMA_RN_VERSION:-0.12.9}
mkdir -p "$work"
work=$(cd "$work" && pwd)
if [ ! -d "$work/package/cpp" ]; then
  (cd "$work" && npm pack "llama.rn@$version" >/dev/null && tar xzf "llama.rn-$version.tgz")
fi
S=$work/package/cpp
cat > "$work/Makefile" <<MK
S=$S
CFLAGS=-O3 -march=native -mno-amx-tile -mno-amx-int8 -mno-amx-bf16 -DNDEBUG -D_GNU_SOURCE -DLM_GGML_USE_CPU -DLM_GGML_USE_OPENMP -fopenmp -I\$(S) -I\$(S)/ggml-cpu
CXXFLAGS=\$(CFLAGS) -std=c++17
CSRC=\$(S)/ggml.c \$(S)/ggml-alloc.c \$(S)/ggml-quants.c \$(S)/ggml-cpu/ggml-cpu.c \$(S)/ggml-cpu/quants.c \$(S)/ggml-cpu/arch/x86/quants.c
CXXSRC=\$(S)/ggml-backend.cpp \$(S)/ggml-backend-reg.cpp \$(S)/ggml-backend-dl.cpp \$(S)/ggml-backend-meta.cpp \$(S)/ggml-threading.cpp \$(S)/gguf.cpp \$(S)/ggml-opt.cpp \$(wildcard \$(S)/ggml-cpu/*.cpp) \$(wildcard \$(S)/ggml-cpu/arch/x86/*.cpp) \$(wildcard \$(S)/ggml-cpu/amx/*.cpp) \$(wildcard \$(S)/llama*.cpp) \$(wildcard \$(S)/models/*.cpp) \$(S)/unicode.cpp \$(S)/unicode-data.cpp
OBJ=\$(patsubst \$(S)/%.c,obj/%.c.o,\$(CSRC)) \$(patsubst \$(S)/%.cpp,obj/%.cpp.o,\$(CXXSRC))
lbench: \$(OBJ) $here/lbench.cpp
	g++ \$(CXXFLAGS) $here/lbench.cpp \$(OBJ) -o lbench -lpthread -ldl
obj/%.c.o: \$(S)/%.c
	@mkdir -p \$(dir \$@); gcc \$(CFLAGS) -std=c11 -c \$< -o \$@
obj/%.cpp.o: \$(S)/%.cpp
	@mkdir -p \$(dir \$@); g++ \$(CXXFLAGS) -c \$< -o \$@
MK
make -C "$work" -j"$(nproc)" lbench >/dev/null
echo "$work/lbench"
