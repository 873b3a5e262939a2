// POST /v1/chat/completions against fake runners: the GenerateRequest built from OpenAI
// messages, JSON and streamed answers (chunks before the runner finishes), the image handshake,
// request ids, client disconnects and the error envelope.
import { describe, expect, it } from "vitest";
import { chatBody, Edge, type Loose, sseData } from "./helpers/edge";
import { done, gate, ndjson } from "./helpers/fake-runner";
import { dataUrl, png } from "./helpers/images";

async function setup(options: ConstructorParameters<typeof Edge>[0] = {}) {
  const edge = new Edge(options);
  const { key, accountId } = await edge.newKey();
  const chat = (body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    edge.fetch("/v1/chat/completions", { method: "POST", key, json: body, headers, signal });
  return { edge, key, accountId, chat, runner: edge.runners.get() };
}

describe("chat completions", () => {
  it("answer a chat.completion and send the runner merged turns, system and request id", async () => {
    const { chat, runner } = await setup();
    const res = await chat(
      {
        model: "mmgpt-tiny",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi" },
          { role: "user", content: [{ type: "text", text: "there" }] },
          { role: "assistant", content: "Hello!" },
          { role: "user", content: "Name a cat." },
        ],
        max_tokens: 32,
        temperature: 0,
      },
      { "x-request-id": "req_from_client" },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("req_from_client");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: "chat.completion",
      model: "mmgpt-tiny",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello world" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, prompt_tokens_details: { cached_tokens: 0 } },
    });
    expect(body.id).toMatch(/^chatcmpl-/);
    const [sent] = runner.generateCalls;
    expect(sent).toMatchObject({
      request_id: "req_from_client",
      system: "Be brief.",
      stream: false,
      turns: [
        { role: "user", text: "Hi\nthere" },
        { role: "assistant", text: "Hello!" },
        { role: "user", text: "Name a cat." },
      ],
      params: { max_tokens: 32, temperature: 0 },
    });
    expect(sent.conversation_id).toBeUndefined();
    expect(runner.calls[0].headers.get("x-request-id")).toBe("req_from_client");
  });

  it("accept what OpenAI clients send: hints ignored, stop: [], a plain-string image_url; top_k off", async () => {
    const { chat, runner } = await setup();
    const res = await chat({
      model: "mmgpt-tiny",
      messages: [{ role: "user", content: [{ type: "image_url", image_url: dataUrl(await png(8, 8)) }] }],
      stop: [],
      user: null,
      safety_identifier: "user-1",
      prompt_cache_key: "thread-1",
      reasoning_effort: "low",
      verbosity: "low",
      temperature: 0.7,
      top_p: 0.9,
    });
    expect(res.status).toBe(200);
    const [sent] = runner.generateCalls;
    expect(sent.params).toMatchObject({ temperature: 0.7, top_p: 0.9, top_k: 0, stop: [] });
    expect(sent.turns[0].images).toHaveLength(1);
  });

  it("stream chunks to the client before the runner has finished", async () => {
    const { edge, chat, runner } = await setup();
    const hold = gate();
    let finished = false;
    runner.generate = (_req, signal) =>
      ndjson(
        [
          { type: "start", prompt_tokens: 5, cached_tokens: 0 },
          { type: "delta", text: "A ca" },
          hold.promise,
          { type: "delta", text: "t." },
          hold.promise.then(() => {
            finished = true;
          }),
          done("A cat."),
        ],
        signal,
      );
    const res = await chat(chatBody("What?", { stream: true, stream_options: { include_usage: true } }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(res.headers.get("x-ratelimit-limit")).toBe("60");
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("A ca")) text += decoder.decode((await reader.read()).value);
    expect(finished).toBe(false); // the first delta arrived while the runner is still held
    hold.open();
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      text += decoder.decode(value);
    }
    const events = sseData(text) as Array<Record<string, Loose>>;
    expect(events.at(-1)).toBe("[DONE]");
    expect(events[0].choices[0].delta).toEqual({ role: "assistant", content: "" });
    expect(events.slice(1, 3).map((e) => e.choices[0].delta.content)).toEqual(["A ca", "t."]);
    expect(events[3].choices[0].finish_reason).toBe("stop");
    expect(events[4]).toMatchObject({ choices: [], usage: { total_tokens: 12 } });
    expect(new Set(events.slice(0, 5).map((e) => e.id)).size).toBe(1);
    expect(events[1].usage).toBeNull();
    await edge.settle();
  });

  it("send an error event when the runner fails mid-stream", async () => {
    const { edge, chat, runner } = await setup();
    runner.generate = () =>
      ndjson([
        { type: "delta", text: "par" },
        { type: "error", error: { code: "internal", message: "GPU fell over" } },
      ]);
    const res = await chat(chatBody("Hi", { stream: true }));
    const events = sseData(await res.text()) as Array<Record<string, Loose>>;
    expect(events.at(-1)).toMatchObject({ error: { code: "internal_error", type: "server_error" } });
    expect(events).not.toContain("[DONE]");
    await edge.settle();
  });

  it("abort the runner call when the client goes away", async () => {
    const { edge, chat, runner } = await setup();
    const aborted = gate();
    runner.generate = (_req, signal) => {
      signal.addEventListener("abort", aborted.open);
      return ndjson([{ type: "delta", text: "x" }, new Promise(() => {})], signal);
    };
    const client = new AbortController();
    const res = await chat(chatBody("Hi", { stream: true }), {}, client.signal);
    const reader = res.body!.getReader();
    await reader.read();
    client.abort();
    await reader.cancel();
    await aborted.promise; // resolves only if the runner saw the abort
    await edge.settle();
  });

  it("upload images the runner lacks, then retry once; later requests send only the hash", async () => {
    const { edge, accountId, chat, runner } = await setup();
    const body = chatBody([
      { type: "text", text: "What is this?" },
      { type: "image_url", image_url: { url: dataUrl(await png(300, 200)) } },
    ]);
    expect((await chat(body)).status).toBe(200);
    expect(runner.calls.map((c) => `${c.method} ${c.path.replace(/[0-9a-f]{64}/, "<sha>")}`)).toEqual([
      "POST /internal/v1/generate",
      "PUT /internal/v1/images/<sha>",
      "POST /internal/v1/generate",
    ]);
    const hash = runner.generateCalls[0].turns[0].images![0];
    expect(runner.images.get(hash)).toHaveLength(150_528);
    expect(await edge.env.BUCKET.head(`preprocessed/${accountId}/${hash}`)).not.toBeNull();
    runner.calls.length = 0;
    expect((await chat(body)).status).toBe(200);
    expect(runner.calls.map((c) => c.method)).toEqual(["POST"]);
  });
});

describe("errors", () => {
  it("render validation failures, malformed JSON and unknown routes in the envelope", async () => {
    const { edge, key, chat } = await setup();
    const invalid = await chat(chatBody("Hi", { temperature: 7 }));
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: "invalid_request_error", param: "temperature" } });

    const malformed = await edge.fetch("/v1/chat/completions", {
      method: "POST",
      key,
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { type: "invalid_request_error" } });

    const unknown = await edge.fetch("/v2/nothing", { key });
    expect(unknown.status).toBe(404);
    const body = (await unknown.json()) as { error: { code: string; request_id: string } };
    expect(body.error.code).toBe("not_found");
    expect(body.error.request_id).toBe(unknown.headers.get("x-request-id"));
  });
});

describe("response_format", () => {
  const schema = {
    type: "object",
    properties: { city: { type: "string", maxLength: 20 }, sunny: { type: "boolean" } },
    required: ["city", "sunny"],
    additionalProperties: false,
  };

  it("forward a json_schema format to the runner, and a json_object one", async () => {
    const { chat, runner } = await setup();
    const rf = { type: "json_schema", json_schema: { name: "weather", strict: true, schema } };
    expect((await chat(chatBody("Weather?", { response_format: rf }))).status).toBe(200);
    expect((await chat(chatBody("Weather?", { response_format: { type: "json_object" } }))).status).toBe(200);
    expect((await chat(chatBody("Weather?", { response_format: { type: "text" } }))).status).toBe(200);
    const [withSchema, withObject, text] = runner.generateCalls;
    expect(withSchema.params.response_format).toEqual({ type: "json_schema", schema });
    expect(withObject.params.response_format).toEqual({ type: "json_object" });
    expect(text.params.response_format).toBeUndefined();
  });

  it("refuse unsupported keywords before any runner call, naming them and the param", async () => {
    const { chat, runner } = await setup();
    const bad = { ...schema, properties: { city: { type: "string", pattern: "^[A-Z]" }, sunny: { not: {} } } };
    const res = await chat(
      chatBody("Weather?", { response_format: { type: "json_schema", json_schema: { name: "w", schema: bad } } }),
    );
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as Loose;
    expect(error).toMatchObject({
      type: "invalid_request_error",
      param: "response_format.json_schema.schema.properties.city.pattern",
    });
    expect(error.message).toContain("`pattern` (at properties.city.pattern)");
    expect(error.message).toContain("`not` (at properties.sunny.not)");
    expect(runner.generateCalls).toHaveLength(0);
  });

  it("refuse a JSON format with beam search", async () => {
    const { chat } = await setup();
    const res = await chat(chatBody("Hi", { num_beams: 3, response_format: { type: "json_object" } }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { param: "response_format" } });
  });
});
