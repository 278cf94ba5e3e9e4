/**
 * Tokenizers matching llama.cpp: {@link io.minnow.tokenizer.Tokenizer#fromGGUF} picks SentencePiece
 * ({@code tokenizer.ggml.model = llama}) or byte-level BPE ({@code gpt2}) from the GGUF metadata.
 *
 * <p>Streaming output: concatenate {@link io.minnow.tokenizer.Tokenizer#tokenBytes} of the generated tokens and
 * decode UTF-8 only at character boundaries (byte tokens such as {@code <0xE2>} carry partial characters).
 * {@link io.minnow.tokenizer.Tokenizer#decode} applies llama.cpp's detokenize rules on top (first-token space strip
 * for SentencePiece, BPE clean-up of " ?", " 's", ...), so the streamed bytes and {@code decode} can differ.
 */
package io.minnow.tokenizer;
