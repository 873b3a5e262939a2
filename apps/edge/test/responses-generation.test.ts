// Issue #17 through the Responses API against a fake runner: `text.format` (structured output),
// logprobs (`include` + `top_logprobs`) and the `n` extension — what reaches the runner, the
// Response object and its event stream, stored state, and each refusal with its param.
import type { DoneEvent, GenerateEvent, TokenLogprob } from "@mmgpt/schema/internal";
import { describe, expect, it } from "vitest";
import { Edge, type Loose, sseEvents } from "./helpers/edge";
import { done, ndjson } from "./helpers/fake-runner";

const LOGPROBS = ["message.output_text.logprobs"];
const bytes = (token: string) => Array.from(new TextEncoder().encode(token));
const lp = (token: string, logprob: number): TokenLogprob => ({
  token,
  logprob,
  bytes: bytes(token),
  top_logprobs: [
    { token, logprob, bytes: bytes(token) },
    { token: "x", logprob: logprob - 1, bytes: bytes("x") },
  ],
});

const WEATHER = {
  type: "object",
  properties: { city: { type: "string", maxLength: 20 }, sunny: { type: "boolean" } },
  required: ["city", "sunny"],
  additionalProperties: false,
};
const weatherFormat = { type: "json_schema", name: "weather", schema: WEATHER };

/** Two choices: 0 stops, 1 is cut by the token limit; logprobs as a non-streamed runner gives them. */
const twoChoices: DoneEvent = {
  ...done("A cat"),
  usage: { prompt_tokens: 10, completion_tokens: 5, cached_tokens: 0 },
  logprobs: [lp("A", -0.5), lp(" cat", -1)],
  choices: [
    { index: 0, finish_reason: "stop", text: "A cat", logprobs: [lp("A", -0.5), lp(" cat", -1)] },
    { index: 1, finish_reason: "length", text: "The dog", logprobs: [lp("The", -2), lp(" dog", -0.1), lp(".", -3)] },
  ],
};

/** The same two choices streamed: interleaved deltas with their tokens, a done without logprobs. */
const twoChoicesStreamed: GenerateEvent[] = [
  { type: "start", prompt_tokens: 10, cached_tokens: 0 },
  { type: "delta", index: 1, text: "The", logprobs: [lp("The", -2)] },
  { type: "delta", index: 0, text: "A cat", logprobs: [lp("A", -0.5), lp(" cat", -1)] },
  { type: "delta", index: 1, text: " dog", logprobs: [lp(" dog", -0.1)] },
  { type: "delta", index: 1, text: "", logprobs: [lp(".", -3)] },
  { ...twoChoices, logprobs: undefined, choices: twoChoices.choices!.map((c) => ({ ...c, logprobs: undefined })) },
];

async function setup() {
  const edge = new Edge();
  const { key } = await edge.newKey();
  const create = (json: unknown) => edge.fetch("/v1/responses", { method: "POST", key, json });
  const ok = async (json: unknown) => {
    const res = await create(json);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Loose;
  };
  const stream = async (json: object) => {
    const events = sseEvents(await (await create({ ...json, stream: true })).text());
    await edge.settle();
    return events;
  };
  const get = async (path: string) => (await (await edge.fetch(path, { key })).json()) as Loose;
  return { edge, key, create, ok, stream, get, runner: edge.runners.get() };
}

describe("responses: text.format", () => {
  it("map json_schema, json_object and text to the runner's format, echoing it as OpenAI does", async () => {
    const { ok, get, runner } = await setup();
    const r = await ok({ input: "Weather?", text: { format: { ...weatherFormat, strict: true } } });
    expect(runner.generateCalls.at(-1)!.params.response_format).toEqual({ type: "json_schema", schema: WEATHER });
    expect(r.text).toEqual({ format: { ...weatherFormat, strict: true } });
    expect((await get(`/v1/responses/${r.id}`)).text).toEqual(r.text);

    const described = await ok({ input: "x", text: { format: { ...weatherFormat, description: "d" } } });
    expect(described.text.format).toEqual({ ...weatherFormat, description: "d", strict: false });
    const object = await ok({ input: "x", text: { format: { type: "json_object" } } });
    expect(runner.generateCalls.at(-1)!.params.response_format).toEqual({ type: "json_object" });
    expect(object.text).toEqual({ format: { type: "json_object" } });
    for (const text of [{ format: { type: "text" } }, { verbosity: "low" }, undefined]) {
      expect((await ok({ input: "x", text })).text).toEqual({ format: { type: "text" } });
      expect(runner.generateCalls.at(-1)!.params.response_format).toBeUndefined();
    }
  });

  it("carry the format through stream, previous_response_id and conversation", async () => {
    const { ok, stream, edge, key, runner } = await setup();
    const events = await stream({ input: "Weather?", text: { format: weatherFormat } });
    expect(events[0][1].response.text.format).toMatchObject(weatherFormat);
    expect(events.at(-1)![1].response.text.format).toMatchObject(weatherFormat);
    const first = events.at(-1)![1].response;
    await ok({ input: "Again", previous_response_id: first.id, text: { format: { type: "json_object" } } });
    expect(runner.generateCalls.at(-1)!).toMatchObject({
      params: { response_format: { type: "json_object" } },
      turns: [{ text: "Weather?" }, { text: "Hello world" }, { text: "Again" }],
    });
    const conv = (await (await edge.fetch("/v1/conversations", { method: "POST", key })).json()) as Loose;
    await ok({ input: "Weather?", conversation: conv.id, text: { format: weatherFormat } });
    expect(runner.generateCalls.at(-1)!).toMatchObject({
      conversation_id: conv.id,
      params: { response_format: { type: "json_schema", schema: WEATHER } },
    });
  });

  it("refuse unsupported keywords and costly string bounds before any runner call, naming them", async () => {
    const { create, runner } = await setup();
    const bad = { ...WEATHER, properties: { city: { type: "string", pattern: "^[A-Z]" }, sunny: { not: {} } } };
    const res = await create({ input: "x", text: { format: { ...weatherFormat, schema: bad } } });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as Loose;
    expect(error).toMatchObject({
      type: "invalid_request_error",
      param: "text.format.schema.properties.city.pattern",
    });
    expect(error.message).toContain("`pattern` (at properties.city.pattern)");
    expect(error.message).toContain("`not` (at properties.sunny.not)");

    const long = { ...WEATHER, properties: { ...WEATHER.properties, city: { type: "string", maxLength: 4096 } } };
    const costly = await create({ input: "x", text: { format: { ...weatherFormat, schema: long } } });
    expect(costly.status).toBe(400);
    const costlyError = ((await costly.json()) as Loose).error;
    expect(costlyError.param).toBe("text.format.schema.properties.city.maxLength");
    expect(costlyError.message).toContain("`maxLength` (4096)");
    expect(costlyError.message).toContain("at most 64");
    expect(runner.generateCalls).toHaveLength(0);
  });

  it.each([
    [{ text: { format: { type: "json_schema", schema: WEATHER } } }, "text.format.name"],
    [{ text: { format: { type: "json_schema", name: "w" } } }, "text.format.schema"],
    [{ text: { format: { type: "json_schema", json_schema: { name: "w", schema: WEATHER } } } }, "text.format.name"],
    [{ text: { format: { type: "json_object" } }, num_beams: 2 }, "text.format"],
    [{ include: LOGPROBS, num_beams: 2 }, "include"],
    [{ include: ["message.output_text.logprob"] }, "include.0"],
    [{ top_logprobs: 21 }, "top_logprobs"],
    [{ n: 9 }, "n"],
    [{ n: 2, num_beams: 2 }, "n"],
    [{ n: 2, conversation: "conv_abc" }, "n"],
  ])("refuse %j naming %s", async (extra, param) => {
    const { create, runner } = await setup();
    const res = await create({ input: "x", ...extra });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: "invalid_request_error", param } });
    expect(runner.generateCalls).toHaveLength(0);
  });
});

describe("responses: logprobs", () => {
  it("include + top_logprobs: the runner reads them, output_text carries them; not stored", async () => {
    const { ok, get, runner } = await setup();
    runner.generate = () => Response.json({ ...done("A cat"), logprobs: twoChoices.logprobs });
    const r = await ok({ input: "Hi", include: LOGPROBS, top_logprobs: 2 });
    expect(runner.generateCalls.at(-1)!.params.logprobs).toBe(2);
    expect(r.top_logprobs).toBe(2);
    expect(r.output[0].content[0]).toEqual({
      type: "output_text",
      text: "A cat",
      annotations: [],
      logprobs: twoChoices.logprobs,
    });
    expect((await get(`/v1/responses/${r.id}`)).output[0].content[0].logprobs).toEqual([]);

    // The include alone: each token's own logprob, no alternatives asked for.
    await ok({ input: "Hi", include: LOGPROBS });
    expect(runner.generateCalls.at(-1)!.params.logprobs).toBe(0);
  });

  it("top_logprobs without the include returns none and costs nothing (as OpenAI)", async () => {
    const { ok, runner } = await setup();
    const r = await ok({ input: "Hi", top_logprobs: 5, include: ["message.input_image.image_url"] });
    expect(runner.generateCalls.at(-1)!.params).not.toHaveProperty("logprobs");
    expect(r.top_logprobs).toBe(5);
    expect(r.output[0].content[0].logprobs).toEqual([]);
  });

  it("streamed: each delta carries its tokens, the done events and the final response all of them", async () => {
    const { stream, runner } = await setup();
    runner.generate = (_req, signal) =>
      ndjson(
        [
          { type: "start", prompt_tokens: 10, cached_tokens: 0 },
          { type: "delta", text: "A", logprobs: [lp("A", -0.5)] },
          { type: "delta", text: "", logprobs: [lp("\\xE2", -0.2)] },
          { type: "delta", text: " cat✓", logprobs: [lp(" cat", -1), lp("\\x9C\\x93", -0.3)] },
          done("A cat✓"),
        ],
        signal,
      );
    const events = await stream({ input: "Hi", include: LOGPROBS, top_logprobs: 1 });
    const deltas = events.filter(([name]) => name === "response.output_text.delta").map(([, d]) => d);
    expect(deltas.map((d) => [d.delta, d.logprobs.map((e: Loose) => e.token)])).toEqual([
      ["A", ["A"]],
      ["", ["\\xE2"]],
      [" cat✓", [" cat", "\\x9C\\x93"]],
    ]);
    const all = deltas.flatMap((d) => d.logprobs);
    const textDone = events.find(([name]) => name === "response.output_text.done")![1];
    expect(textDone).toMatchObject({ text: "A cat✓", logprobs: all });
    const partDone = events.find(([name]) => name === "response.content_part.done")![1];
    expect(partDone.part.logprobs).toEqual(all);
    expect(events.at(-1)![1].response.output[0].content[0].logprobs).toEqual(all);
  });

  it("streamed without the include: deltas carry empty logprobs", async () => {
    const { stream } = await setup();
    const events = await stream({ input: "Hi" });
    for (const [name, data] of events) {
      if (name === "response.output_text.delta" || name === "response.output_text.done")
        expect(data.logprobs).toEqual([]);
    }
  });
});

describe("responses: n (extension)", () => {
  it("one output message per choice, with its status and logprobs; usage sums the choices", async () => {
    const { ok, runner } = await setup();
    runner.generate = () => Response.json(twoChoices);
    const r = await ok({ input: "Hi", n: 2, include: LOGPROBS, top_logprobs: 1, store: false });
    expect(runner.generateCalls.at(-1)!.params).toMatchObject({ n: 2, logprobs: 1 });
    expect(r.output.map((m: Loose) => [m.status, m.content[0].text, m.content[0].logprobs.length])).toEqual([
      ["completed", "A cat", 2],
      ["incomplete", "The dog", 3],
    ]);
    expect(new Set(r.output.map((m: Loose) => m.id)).size).toBe(2);
    expect(r).toMatchObject({
      status: "incomplete",
      incomplete_details: { reason: "max_output_tokens" },
      usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
    });
  });

  it("streamed: every choice opened first, deltas under their output_index, each closed in order", async () => {
    const { stream, runner } = await setup();
    runner.generate = (_req, signal) => ndjson(twoChoicesStreamed, signal);
    const events = await stream({ input: "Hi", n: 2, include: LOGPROBS });
    expect(events.map(([name, d]) => `${name}:${d.output_index ?? ""}`)).toEqual([
      "response.created:",
      "response.in_progress:",
      "response.output_item.added:0",
      "response.content_part.added:0",
      "response.output_item.added:1",
      "response.content_part.added:1",
      "response.output_text.delta:1",
      "response.output_text.delta:0",
      "response.output_text.delta:1",
      "response.output_text.delta:1",
      "response.output_text.done:0",
      "response.content_part.done:0",
      "response.output_item.done:0",
      "response.output_text.done:1",
      "response.content_part.done:1",
      "response.output_item.done:1",
      "response.incomplete:",
    ]);
    const final = events.at(-1)![1].response;
    const ids = final.output.map((m: Loose) => m.id);
    for (const [name, d] of events) {
      if (name?.startsWith("response.output_text") || name?.startsWith("response.content_part"))
        expect(d.item_id).toBe(ids[d.output_index]);
    }
    expect(final.output.map((m: Loose) => m.content[0].logprobs.map((e: Loose) => e.token))).toEqual([
      ["A", " cat"],
      ["The", " dog", "."],
    ]);
  });

  it("a stored response with several choices continues with its first", async () => {
    const { ok, get, runner } = await setup();
    runner.generate = () => Response.json(twoChoices);
    const r = await ok({ input: "Hi", n: 2 });
    expect((await get(`/v1/responses/${r.id}`)).output).toHaveLength(2);
    await ok({ input: "More", previous_response_id: r.id });
    expect(runner.generateCalls.at(-1)!.turns).toEqual([
      { role: "user", text: "Hi" },
      { role: "assistant", text: "A cat" },
      { role: "user", text: "More" },
    ]);
  });
});
