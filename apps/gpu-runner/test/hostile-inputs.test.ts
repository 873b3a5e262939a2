// Issue #15 item 3, runner side: every route reads a bounded body, a prompt far past the
// context is refused from its characters before any tokenizing, tokenizing stops once the
// budget is passed, and each of these is a fast 400 (never a 5xx the edge would retry) after
// which the runner keeps serving.
import { createHash } from "node:crypto";
import type { GenerateRequest } from "@mmgpt/schema/internal";
import { beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../src/engine/engine.js";
import { LocalEngineHost } from "../src/engine-host/local-host.js";
import type { ModelRuntime } from "../src/model/runtime.js";
import { createApp } from "../src/server/app.js";
import { MAX_GENERATE_BODY_BYTES } from "../src/server/bounded-body.js";
import { servingBuild } from "../src/server/load-model.js";
import { silentLogger } from "../src/server/logger.js";
import { loadTokenizer, type Tokenizer } from "../src/tokenizer/index.js";
import { headers, SECRET } from "./service-headers.js";
import { greedyParams, TEST_TENANT, tinyModel } from "./tiny-model.js";

let rt: ModelRuntime;

beforeAll(async () => {
  rt = await tinyModel().load(servingBuild({ precision: "fp32", kvDtype: "fp16" }));
});

/** The real tokenizer (every member inherited), counting the characters it is asked to encode. */
function countingTokenizer(inner: Tokenizer): Tokenizer & { encoded: number } {
  const counting: Tokenizer & { encoded: number } = Object.create(inner);
  counting.encoded = 0;
  counting.encode = (text, options) => {
    counting.encoded += text.length;
    return inner.encode(text, options);
  };
  return counting;
}

async function makeApp() {
  const tokenizer = countingTokenizer(await loadTokenizer());
  const engine = new Engine(rt, tokenizer, {
    maxBatch: 2,
    slots: 2,
    maxQueue: 4,
    maxContext: 256,
    imageFeatureBytes: 8 << 20,
    imagePixelBytes: 8 << 20,
  });
  const state = { host: new LocalEngineHost(new Map([["mmgpt-tiny", engine]])), draining: false, inFlight: 0 };
  const app = createApp(state, { secret: SECRET, logger: silentLogger, logPrompts: false });
  return { app, tokenizer };
}

const request = (turns: GenerateRequest["turns"], maxTokens = 8): GenerateRequest => ({
  request_id: "req-hostile",
  model: "mmgpt-tiny",
  tenant: TEST_TENANT,
  turns,
  params: greedyParams({ max_tokens: maxTokens }),
  stream: false,
});

async function errorOf(res: Response) {
  return { status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code };
}

/**
 * A body streamed in 1 MB chunks without a Content-Length, as a misbehaving client would;
 * `pulled` says how much of it the server asked for.
 */
function streamed(total: number): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const chunk = new Uint8Array(Math.min(1 << 20, total - sent)).fill(0x61);
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { body, pulled: () => sent };
}

describe("hostile input on the runner (issue #15 item 3)", () => {
  it("refuses a 40 MB generate body at the cap, unparsed, and keeps serving", async () => {
    const { app, tokenizer } = await makeApp();
    const big = streamed(40 << 20);
    const huge = await app.request("/internal/v1/generate", {
      method: "POST",
      headers,
      body: big.body,
      duplex: "half",
    } as RequestInit);
    expect(await errorOf(huge)).toEqual({ status: 400, code: "context_length_exceeded" });
    expect(big.pulled()).toBeLessThan(MAX_GENERATE_BODY_BYTES + (2 << 20));
    const declared = await app.request("/internal/v1/generate", {
      method: "POST",
      headers: { ...headers, "content-length": String(MAX_GENERATE_BODY_BYTES + 1) },
      body: "{}",
    });
    expect(await errorOf(declared)).toEqual({ status: 400, code: "context_length_exceeded" });
    expect(tokenizer.encoded).toBe(0);
    const ok = await app.request("/internal/v1/generate", {
      method: "POST",
      headers,
      body: JSON.stringify(request([{ role: "user", text: "Hello there" }])),
    });
    expect(ok.status).toBe(200);
  });

  it("refuses a prompt far past the context from its characters, without tokenizing it", async () => {
    const { app, tokenizer } = await makeApp();
    // 6 MB of text: under the body cap, ~1.5 M tokens; BPE over it held the engine for seconds.
    const text = "The quick brown fox jumps over the lazy dog. ".repeat(140_000);
    const res = await app.request("/internal/v1/generate", {
      method: "POST",
      headers,
      body: JSON.stringify(request([{ role: "user", text }])),
    });
    expect(await errorOf(res)).toEqual({ status: 400, code: "context_length_exceeded" });
    expect(tokenizer.encoded).toBe(0);
  });

  it("stops tokenizing a long conversation once its ids pass the context", async () => {
    const { app, tokenizer } = await makeApp();
    // 41 turns of ~100 characters: too few characters to refuse unread (a token may stand for
    // up to 16), but ~25 tokens each, so the budget of 248 is passed after about ten turns.
    const sentence = "Describe the small red boat near the old harbour wall in two short lines. ";
    const turns: GenerateRequest["turns"] = Array.from({ length: 41 }, (_, i) => ({
      role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
      text: `${sentence}${i}`,
    }));
    const total = turns.reduce((n, t) => n + t.text.length, 0);
    const res = await app.request("/internal/v1/generate", {
      method: "POST",
      headers,
      body: JSON.stringify(request(turns)),
    });
    const error = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status).toBe(400);
    expect(error.error.code).toBe("context_length_exceeded");
    expect(error.error.message).toMatch(/exceeds the context of 256 tokens/);
    expect(tokenizer.encoded).toBeGreaterThan(0);
    expect(tokenizer.encoded).toBeLessThan(total / 2);
  });

  it('answers a conversation of megabytes of old exchanges with truncation "auto" without tokenizing them; "disabled" refuses it unread', async () => {
    const { app, tokenizer } = await makeApp();
    // ~4 MB of old exchanges (under the 8 MiB body cap): one enormous paste, then many of a few
    // thousand characters; then two short exchanges and the question.
    const old: GenerateRequest["turns"] = [
      { role: "user", text: "An enormous paste of a log file. ".repeat(60_000) },
      { role: "assistant", text: "I read it." },
      ...Array.from({ length: 300 }, (_, i): GenerateRequest["turns"] => [
        { role: "user", text: `Old question ${i}: ${"more pasted text ".repeat(400)}` },
        { role: "assistant", text: `Old answer ${i}.` },
      ]).flat(),
    ];
    const recent: GenerateRequest["turns"] = [
      { role: "user", text: "Is the boat red?" },
      { role: "assistant", text: "Yes, it is red." },
      { role: "user", text: "Is the harbour wall old?" },
      { role: "assistant", text: "It is very old." },
      { role: "user", text: "Where is the boat?" },
    ];
    const turns = [...old, ...recent];
    const oldChars = old.reduce((n, t) => n + t.text.length, 0);
    const body = (truncation: "auto" | "disabled") => JSON.stringify({ ...request(turns), truncation });
    expect(body("auto").length).toBeGreaterThan(4_000_000);
    expect(body("auto").length).toBeLessThan(MAX_GENERATE_BODY_BYTES);

    const auto = await app.request("/internal/v1/generate", { method: "POST", headers, body: body("auto") });
    expect(auto.status).toBe(200);
    const done = (await auto.json()) as { type: string; dropped_exchanges: number; prompt: string };
    expect(done.type).toBe("done");
    expect(done.dropped_exchanges).toBe(old.length / 2);
    expect(done.prompt).toContain("Is the boat red?");
    // The recent exchanges, about twice (with and without the template), and the first old one
    // only as far as its characters: hundreds of characters out of the millions dropped.
    expect(tokenizer.encoded).toBeLessThan(2_000);
    expect(tokenizer.encoded).toBeLessThan(oldChars / 1000);

    tokenizer.encoded = 0;
    const disabled = await app.request("/internal/v1/generate", { method: "POST", headers, body: body("disabled") });
    expect(await errorOf(disabled)).toEqual({ status: 400, code: "context_length_exceeded" });
    expect(tokenizer.encoded).toBe(0);
  });

  it("refuses an image body past the image size unread", async () => {
    const { app } = await makeApp();
    const sha = createHash("sha256").update("x").digest("hex");
    const big = streamed(64 << 20);
    const res = await app.request(`/internal/v1/images/${sha}`, {
      method: "PUT",
      headers: { ...headers, "content-type": "application/octet-stream" },
      body: big.body,
      duplex: "half",
    } as RequestInit);
    expect(await errorOf(res)).toEqual({ status: 400, code: "image_invalid" });
    expect(big.pulled()).toBeLessThan(3 << 20);
  });
});
