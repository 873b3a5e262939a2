// Issue #17's sampling features end to end with the official `openai` package: n choices from
// one prompt, logprobs/top_logprobs (plain and streamed), presence/frequency penalties and
// logit_bias, through the edge to the real runner on the tiny model.
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";

const client = new OpenAI({ baseURL: inject("baseURL"), apiKey: inject("apiKey") });
const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Tell me about the sea." }];
const base = { model: "mmgpt-tiny", messages, max_tokens: 10, temperature: 1, seed: 11 };

describe("sampling features through the openai package", () => {
  it("n: 3 gives three choices from one prompt: the prompt counted once, completion tokens summed", async () => {
    const one = await client.chat.completions.create({ ...base, logprobs: true });
    const r = await client.chat.completions.create({ ...base, n: 3, logprobs: true });
    expect(r.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    // Choice 0 keeps the request's seed: it is the n = 1 answer.
    expect(r.choices[0].message.content).toBe(one.choices[0].message.content);
    expect(r.usage!.prompt_tokens).toBe(one.usage!.prompt_tokens);
    expect(r.usage!.completion_tokens).toBe(r.choices.reduce((s, c) => s + c.logprobs!.content!.length, 0));
  });

  it("logprobs: true, top_logprobs: 5 report each token with its bytes and five alternatives, most likely first", async () => {
    const r = await client.chat.completions.create({ ...base, logprobs: true, top_logprobs: 5 });
    const content = r.choices[0].logprobs!.content!;
    expect(content.length).toBe(r.usage!.completion_tokens);
    for (const entry of content) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.top_logprobs).toHaveLength(5);
      const tops = entry.top_logprobs.map((t) => t.logprob);
      expect(tops).toEqual([...tops].sort((a, b) => b - a));
      expect(entry.logprob).toBeGreaterThanOrEqual(tops[4] - 30); // a sampled token, finite
      expect(entry.bytes!.length).toBeGreaterThan(0);
    }
    const decoded = new TextDecoder().decode(Uint8Array.from(content.flatMap((e) => e.bytes!)));
    expect(decoded).toContain(r.choices[0].message.content!.trim());
  });

  it("streamed with n: 2 and logprobs, each choice's deltas and logprobs equal the non-streamed answer", async () => {
    const whole = await client.chat.completions.create({ ...base, n: 2, logprobs: true, top_logprobs: 2 });
    const stream = await client.chat.completions.create({
      ...base,
      n: 2,
      logprobs: true,
      top_logprobs: 2,
      stream: true,
    });
    const text = ["", ""];
    const tokens: string[][] = [[], []];
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        text[c.index] += c.delta.content ?? "";
        tokens[c.index].push(...(c.logprobs?.content ?? []).map((e) => e.token));
      }
    }
    expect(text).toEqual(whole.choices.map((c) => c.message.content));
    expect(tokens).toEqual(whole.choices.map((c) => c.logprobs!.content!.map((e) => e.token)));
  });

  it("logit_bias +100 forces a token; penalties are applied; bad combinations are a 400 naming the field", async () => {
    const forced = await client.chat.completions.create({
      ...base,
      temperature: 0,
      max_tokens: 4,
      logprobs: true,
      logit_bias: { "450": 100 },
    });
    expect(new Set(forced.choices[0].logprobs!.content!.map((e) => e.token)).size).toBe(1);
    const penalised = await client.chat.completions.create({
      ...base,
      temperature: 0,
      max_tokens: 4,
      logprobs: true,
      logit_bias: { "450": 5 },
      frequency_penalty: 2,
      presence_penalty: 2,
    });
    expect(new Set(penalised.choices[0].logprobs!.content!.map((e) => e.token)).size).toBeGreaterThan(1);
    await expect(client.chat.completions.create({ ...base, top_logprobs: 3 })).rejects.toMatchObject({
      status: 400,
      param: "top_logprobs",
    });
    await expect(
      client.chat.completions.create({ ...base, n: 2, num_beams: 2 } as OpenAI.ChatCompletionCreateParamsNonStreaming),
    ).rejects.toMatchObject({ status: 400, param: "n" });
    await expect(client.chat.completions.create({ ...base, logit_bias: { "99999": 1 } })).rejects.toMatchObject({
      status: 400,
    });
  });
});
