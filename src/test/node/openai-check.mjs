// The official openai SDK against a running Minnow: a streaming chat and a completion with echo/logprobs.
// Usage: node openai-check.mjs http://localhost:8080/v1 MODEL
// Prints one JSON line with what it saw; exits non-zero (with the reason on stderr) when a check fails.
import OpenAI from "openai";
import assert from "node:assert/strict";

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: process.env.MINNOW_API_KEY || "unused", maxRetries: 0 });

// streaming chat with usage: the SDK parses the SSE frames and stops at [DONE]
const stream = await client.chat.completions.create({
  model,
  messages: [{ role: "user", content: "Who begat Enos?" }],
  max_tokens: 6,
  temperature: 0,
  stream: true,
  stream_options: { include_usage: true },
});
const chunks = [];
for await (const chunk of stream) chunks.push(chunk);
assert.ok(chunks.length >= 3, "several chunks");
const ids = new Set(chunks.map((c) => c.id));
assert.equal(ids.size, 1, "one id for all chunks");
assert.equal(new Set(chunks.map((c) => c.created)).size, 1, "one created for all chunks");
assert.equal(chunks[0].choices[0].delta.role, "assistant");
const usageChunk = chunks[chunks.length - 1];
assert.deepEqual(usageChunk.choices, []);
assert.equal(usageChunk.usage.completion_tokens, 6);
const finish = chunks[chunks.length - 2].choices[0].finish_reason;
assert.equal(finish, "length");
for (const c of chunks.slice(0, -1)) assert.equal(c.usage, null, "usage: null before the usage chunk");
const chatText = chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content || "")).join("");

// completion with echo and logprobs, the prompt as token ids (lm-evaluation-harness's log-likelihood request)
const completion = await client.completions.create({
  model,
  prompt: [[2047, 285, 263, 300]],
  max_tokens: 1,
  echo: true,
  logprobs: 1,
  temperature: 0,
});
const lp = completion.choices[0].logprobs;
assert.equal(lp.tokens.length, 5);
assert.equal(lp.token_logprobs[0], null, "the first prompt token has no logprob");
assert.equal(lp.top_logprobs[0], null);
assert.ok(lp.token_logprobs.slice(1).every((x) => typeof x === "number" && x <= 0));
assert.equal(lp.text_offset.length, 5);
assert.equal(completion.usage.prompt_tokens, 4);

// a streamed completion too
const cstream = await client.completions.create({ model, prompt: "In the beginning", max_tokens: 4, temperature: 0, stream: true });
let ctext = "";
let cfinish = null;
for await (const c of cstream) {
  ctext += c.choices[0].text;
  if (c.choices[0].finish_reason) cfinish = c.choices[0].finish_reason;
}
assert.equal(cfinish, "length");

// errors come back as the SDK's typed errors
let status = 0;
try {
  await client.completions.create({ model: "no-such-model", prompt: "x" });
} catch (e) {
  status = e.status;
  assert.equal(e.code, "model_not_found");
}
assert.equal(status, 404);

console.log(JSON.stringify({ ok: true, chunks: chunks.length, chatText, finish, echoTokens: lp.tokens, ctext }));
