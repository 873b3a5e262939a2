// Issue #15 item 5, rate limits: an account's share goes by the tokens its generations may use,
// not by its request count. One large request spends what many small ones would; the next large
// one is a 429 with Retry-After while small ones and other accounts still pass; several keys of
// one account share one budget; n and num_beams multiply the cost.
import { describe, expect, it } from "vitest";
import { generationCost, PROMPT_TOKENS_CAP } from "../../src/rate-limit/generation-cost";
import { chatBody, Edge } from "../helpers/edge";

const ask = (extra: Record<string, unknown>) => chatBody("Hi", extra);

describe("hostile input: rate limits charge tokens", () => {
  it("charges max_tokens × choices, per account across its keys", async () => {
    const edge = new Edge({ env: { TOKEN_LIMIT_BURST: "1000", TOKEN_LIMIT_PER_MINUTE: "60" } });
    const chat = (key: string, extra: Record<string, unknown>) =>
      edge.fetch("/v1/chat/completions", { method: "POST", key, json: ask(extra) });
    const a = await edge.newKey();
    const a2 = await edge.newKey(a.accountId);
    const b = await edge.newKey();
    expect((await chat(a.key, { max_tokens: 900 })).status).toBe(200);
    // Two requests in, far below the request limit (60), but not the tokens: 429 + Retry-After.
    const limited = await chat(a.key, { max_tokens: 900 });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(60);
    expect(await limited.json()).toMatchObject({ error: { code: "rate_limit_exceeded" } });
    // The same account's other key shares the budget; a small request still fits it.
    expect((await chat(a2.key, { max_tokens: 900 })).status).toBe(429);
    expect((await chat(a2.key, { max_tokens: 20 })).status).toBe(200);
    // Choices are rows too: n = 4 of 30 tokens costs 120, more than A has left.
    expect((await chat(a.key, { max_tokens: 30, n: 4 })).status).toBe(429);
    // Another account is untouched.
    expect((await chat(b.key, { max_tokens: 900 })).status).toBe(200);
    expect(edge.runners.get().generateCalls).toHaveLength(3);
  }, 30_000);

  it("prices a generation by its prompt, images and every row it may fill", () => {
    const params = {
      max_tokens: 100,
      temperature: 0,
      top_p: 1,
      top_k: 0,
      num_beams: 1,
      repetition_penalty: 1,
      stop: [],
    };
    const base = {
      request_id: "r",
      model: "m",
      tenant: "t".repeat(43),
      system: "x".repeat(40),
      turns: [{ role: "user" as const, text: "y".repeat(40), images: ["a".repeat(64)] }],
      stream: false,
    };
    expect(generationCost({ ...base, params })).toBe(20 + 64 + 100);
    expect(generationCost({ ...base, params: { ...params, num_beams: 8 } })).toBe(20 + 64 + 800);
    expect(generationCost({ ...base, params: { ...params, n: 3 } })).toBe(20 + 64 + 300);
    // A long stored conversation: 1 Mi characters of history cost one context, not 262,144 tokens
    // (more than the default bucket holds, so every turn of it was a 429).
    const history = Array.from({ length: 64 }, (_, i) => ({
      role: i % 2 ? ("assistant" as const) : ("user" as const),
      text: "z".repeat(16_384),
    }));
    const long = { ...base, truncation: "auto" as const, turns: [...history, ...base.turns] };
    expect(generationCost({ ...long, params })).toBe(PROMPT_TOKENS_CAP + 100);
  });
});
