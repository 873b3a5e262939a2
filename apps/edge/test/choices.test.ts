// n choices and logprobs through the edge against a fake runner: the runner parameters they
// become, OpenAI's chunk shape (an `index` per choice, `logprobs.content` entries) and the
// completion; penalties and logit_bias reach the runner; a conversation turn refuses n > 1.
import type { DoneEvent, TokenLogprob } from "@mmgpt/schema/internal";
import { describe, expect, it } from "vitest";
import { createInline, jsonl, line } from "./helpers/batches";
import { chatBody, Edge, type Loose, sseData } from "./helpers/edge";
import { ndjson, runnerError } from "./helpers/fake-runner";

const lp = (token: string, logprob: number): TokenLogprob => ({
  token,
  logprob,
  bytes: Array.from(new TextEncoder().encode(token)),
  top_logprobs: [{ token, logprob, bytes: Array.from(new TextEncoder().encode(token)) }],
});

const twoChoices: DoneEvent = {
  type: "done",
  finish_reason: "stop",
  text: "A cat",
  usage: { prompt_tokens: 10, completion_tokens: 5, cached_tokens: 0 },
  prompt: "…",
  logprobs: [lp("A", -0.5), lp(" cat", -1)],
  choices: [
    { index: 0, finish_reason: "stop", text: "A cat", logprobs: [lp("A", -0.5), lp(" cat", -1)] },
    { index: 1, finish_reason: "length", text: "The dog", logprobs: [lp("The", -2), lp(" dog", -0.1), lp(".", -3)] },
  ],
};

async function setup() {
  const edge = new Edge();
  const { key } = await edge.newKey();
  const post = (path: string, json: unknown) => edge.fetch(path, { method: "POST", key, json });
  return { edge, key, post, runner: edge.runners.get() };
}

describe("n choices and logprobs", () => {
  it("a completion lists every choice with its logprobs; the runner gets n, logprobs, penalties and bias", async () => {
    const { post, runner } = await setup();
    runner.generate = () => Response.json(twoChoices);
    const res = await post(
      "/v1/chat/completions",
      chatBody("Hi", {
        n: 2,
        logprobs: true,
        top_logprobs: 1,
        presence_penalty: 0.5,
        frequency_penalty: 0.25,
        logit_bias: { "450": -100 },
      }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Loose;
    expect(body.choices).toEqual([
      {
        index: 0,
        message: { role: "assistant", content: "A cat", refusal: null },
        logprobs: { content: twoChoices.choices![0].logprobs, refusal: null },
        finish_reason: "stop",
      },
      {
        index: 1,
        message: { role: "assistant", content: "The dog", refusal: null },
        logprobs: { content: twoChoices.choices![1].logprobs, refusal: null },
        finish_reason: "length",
      },
    ]);
    expect(body.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(runner.generateCalls[0].params).toMatchObject({
      n: 2,
      logprobs: 1,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      logit_bias: { "450": -100 },
    });
  });

  it("streams a role chunk per choice, deltas under their index with logprobs, and a finish chunk per choice", async () => {
    const { post, runner } = await setup();
    runner.generate = (_req, signal) =>
      ndjson(
        [
          { type: "start", prompt_tokens: 10, cached_tokens: 0 },
          { type: "delta", index: 1, text: "The", logprobs: [lp("The", -2)] },
          { type: "delta", index: 0, text: "A cat", logprobs: [lp("A", -0.5), lp(" cat", -1)] },
          { type: "delta", index: 1, text: " dog", logprobs: [lp(" dog", -0.1)] },
          { type: "delta", index: 1, text: "", logprobs: [lp(".", -3)] },
          {
            ...twoChoices,
            logprobs: undefined,
            choices: twoChoices.choices!.map((c) => ({ ...c, logprobs: undefined })),
          },
        ],
        signal,
      );
    const res = await post("/v1/chat/completions", chatBody("Hi", { n: 2, logprobs: true, stream: true }));
    const chunks = sseData(await res.text()).filter((c) => c !== "[DONE]") as Loose[];
    const choices = chunks.map((c) => c.choices[0]);
    expect(choices.map((c) => [c.index, c.delta, c.finish_reason])).toEqual([
      [0, { role: "assistant", content: "" }, null],
      [1, { role: "assistant", content: "" }, null],
      [1, { content: "The" }, null],
      [0, { content: "A cat" }, null],
      [1, { content: " dog" }, null],
      [1, { content: "" }, null],
      [0, {}, "stop"],
      [1, {}, "length"],
    ]);
    const tokens = (i: number) =>
      choices.filter((c) => c.index === i).flatMap((c) => (c.logprobs?.content ?? []).map((e: Loose) => e.token));
    expect(tokens(0)).toEqual(["A", " cat"]);
    expect(tokens(1)).toEqual(["The", " dog", "."]);
  });

  it("without logprobs, choices carry logprobs: null; the runner's refusal of a token id is a 400", async () => {
    const { post, runner } = await setup();
    runner.generate = () => Response.json(twoChoices);
    const plain = (await (await post("/v1/chat/completions", chatBody("Hi", { n: 2 }))).json()) as Loose;
    expect(plain.choices.map((c: Loose) => c.logprobs)).toEqual([null, null]);
    runner.generate = () => runnerError(400, "invalid_request", "logit_bias: token id 99999 is outside the vocabulary");
    const refused = await post("/v1/chat/completions", chatBody("Hi", { logit_bias: { "99999": 1 } }));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as Loose).error.message).toContain("outside the vocabulary");
  });

  it("a batch line with n and logprobs gets every choice in its output", async () => {
    const { edge, key, runner } = await setup();
    runner.generate = () => Response.json(twoChoices);
    const created = await createInline(edge, key, [line("two", "Hi", { n: 2, logprobs: true })]);
    expect(await edge.drainBatchQueue()).toEqual([]);
    const [output] = await jsonl(edge, key, created.id, "output");
    expect(
      output.response.body.choices.map((c: Loose) => [c.index, c.message.content, c.logprobs.content.length]),
    ).toEqual([
      [0, "A cat", 2],
      [1, "The dog", 3],
    ]);
    expect(runner.generateCalls[0].params).toMatchObject({ n: 2, logprobs: 0 });
  });

  it("a conversation turn refuses n > 1, naming the field", async () => {
    const { post } = await setup();
    const conv = (await (await post("/v1/conversations", { model: "mmgpt-tiny" })).json()) as Loose;
    const res = await post(`/v1/conversations/${conv.id}/messages`, { content: "Hi", n: 3 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Loose).error).toMatchObject({ param: "n", type: "invalid_request_error" });
  });
});
