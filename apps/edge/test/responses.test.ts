// POST /v1/responses and the stored responses: the Response object and what reaches the runner,
// previous_response_id chains, conversations (commit on success only, one generation at a
// time), the Responses event stream, truncation, and every refusal with its param.
import { describe, expect, it } from "vitest";
import { type Loose, sseEvents } from "./helpers/edge";
import { done, gate, ndjson, runnerError } from "./helpers/fake-runner";
import { dataUrl, png } from "./helpers/images";
import { responsesSetup } from "./helpers/responses";

const setup = responsesSetup;

describe("responses", () => {
  it("answer a text input with OpenAI's Response object, stored until deleted", async () => {
    const { edge, key, ok, get, runner } = await setup();
    const r = await ok({ model: "mmgpt-tiny", input: "Hi", instructions: "Be brief.", max_output_tokens: 7, top_k: 3 });
    expect(r).toMatchObject({
      object: "response",
      status: "completed",
      model: "mmgpt-tiny",
      instructions: "Be brief.",
      max_output_tokens: 7,
      output: [
        {
          type: "message",
          role: "assistant",
          status: "completed",
          content: [{ type: "output_text", text: "Hello world", annotations: [] }],
        },
      ],
      usage: { input_tokens: 10, output_tokens: 2, total_tokens: 12, input_tokens_details: { cached_tokens: 0 } },
      truncation: "disabled",
      store: true,
      conversation: null,
      previous_response_id: null,
      incomplete_details: null,
      error: null,
      dropped_exchanges: 0,
      prompt: "…",
    });
    expect(r.id).toMatch(/^resp_/);
    expect(r.output[0].id).toMatch(/^msg_/);
    const call = runner.generateCalls.at(-1)!;
    expect(call).toMatchObject({
      system: "Be brief.",
      turns: [{ role: "user", text: "Hi" }],
      params: { max_tokens: 7, top_k: 3 },
      truncation: "disabled",
      conversation_id: r.id,
    });

    const { prompt: _prompt, ...stored } = r;
    expect(await get(`/v1/responses/${r.id}`)).toEqual(stored);
    const items = await get(`/v1/responses/${r.id}/input_items`);
    expect(items).toMatchObject({
      object: "list",
      has_more: false,
      data: [{ type: "message", role: "user", status: "completed", content: [{ type: "input_text", text: "Hi" }] }],
    });
    const del = await edge.fetch(`/v1/responses/${r.id}`, { method: "DELETE", key });
    expect(await del.json()).toEqual({ id: r.id, object: "response.deleted", deleted: true });
    expect((await edge.fetch(`/v1/responses/${r.id}`, { key })).status).toBe(404);
    expect((await edge.fetch(`/v1/responses/${r.id}`, { method: "DELETE", key })).status).toBe(404);
  });

  it("continue a previous_response_id chain: each response's input and reply, on the chain's runner", async () => {
    const { ok, create, runner, edge, key } = await setup();
    const first = await ok({ input: [{ role: "user", content: [{ type: "input_text", text: "One" }] }] });
    const second = await ok({ input: "Two", previous_response_id: first.id, instructions: "Only here." });
    const third = await ok({ input: "Three", previous_response_id: second.id });
    const call = runner.generateCalls.at(-1)!;
    expect(call.turns).toEqual([
      { role: "user", text: "One" },
      { role: "assistant", text: "Hello world" },
      { role: "user", text: "Two" },
      { role: "assistant", text: "Hello world" },
      { role: "user", text: "Three" },
    ]);
    // Instructions are not carried over; stored state truncates by default; one affinity key.
    expect(call.system).toBeUndefined();
    expect(call.truncation).toBe("auto");
    expect(call.conversation_id).toBe(first.id);
    expect(third).toMatchObject({ previous_response_id: second.id, truncation: "auto" });

    // A deleted link cuts the chain there; an unknown or another account's id is a 404.
    await edge.fetch(`/v1/responses/${first.id}`, { method: "DELETE", key });
    await ok({ input: "Four", previous_response_id: third.id });
    expect(runner.generateCalls.at(-1)!.turns.map((t) => t.text)).toEqual([
      "Two",
      "Hello world",
      "Three",
      "Hello world",
      "Four",
    ]);
    const missing = await create({ input: "x", previous_response_id: "resp_nothere" });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "not_found", param: "previous_response_id" } });
    const other = await edge.newKey();
    const foreign = await edge.fetch("/v1/responses", {
      method: "POST",
      key: other.key,
      json: { input: "x", previous_response_id: third.id },
    });
    expect(foreign.status).toBe(404);
    expect((await edge.fetch(`/v1/responses/${third.id}`, { key: other.key })).status).toBe(404);
  });

  it("add the input and the reply to a conversation only when the reply completes", async () => {
    const { edge, key, ok, create, get, runner } = await setup();
    const conv = (await (
      await edge.fetch("/v1/conversations", {
        method: "POST",
        key,
        json: { system: "Be kind.", items: [{ role: "developer", content: "Answer in English." }] },
      })
    ).json()) as Loose;
    const image = { type: "input_image", image_url: dataUrl(await png(32, 32)) };
    const r = await ok({
      input: [{ role: "user", content: [{ type: "input_text", text: "What?" }, image] }],
      conversation: conv.id,
    });
    expect(r).toMatchObject({ conversation: { id: conv.id }, truncation: "auto" });
    const call = runner.generateCalls.at(-1)!;
    expect(call).toMatchObject({ system: "Be kind.\nAnswer in English.", conversation_id: conv.id });
    expect(call.turns).toEqual([{ role: "user", text: "What?", images: [expect.stringMatching(/^[0-9a-f]{64}$/)] }]);
    const items = await get(`/v1/conversations/${conv.id}/items?order=asc`);
    expect(items.data.map((i: Loose) => [i.role, i.content.map((p: Loose) => p.type)])).toEqual([
      ["developer", ["input_text"]],
      ["user", ["input_image", "input_text"]],
      ["assistant", ["output_text"]],
    ]);
    expect(items.data[2].id).toBe(r.output[0].id);

    // A failed reply adds nothing and records last_error; `conversation` takes {id} too.
    runner.generate = () => runnerError(500, "internal", "boom");
    expect((await create({ input: "Again", conversation: { id: conv.id } })).status).toBe(502);
    expect(await get(`/v1/conversations/${conv.id}`)).toMatchObject({
      message_count: 3,
      generating: false,
      last_error: { code: "internal_error" },
    });
    const unknown = await create({ input: "x", conversation: "conv_nothere" });
    expect(await unknown.json()).toMatchObject({ error: { code: "not_found", param: "conversation" } });
  });

  it("allow one generation per conversation at a time", async () => {
    const { edge, key, create, runner } = await setup();
    const conv = (await (await edge.fetch("/v1/conversations", { method: "POST", key })).json()) as Loose;
    const hold = gate();
    runner.generate = (_req, signal) => ndjson([{ type: "delta", text: "a" }, hold.promise, done("a")], signal);
    const first = await create({ input: "one", conversation: conv.id, stream: true });
    const second = await create({ input: "two", conversation: conv.id });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: { code: "conversation_busy" } });
    hold.open();
    await first.text();
    await edge.settle();
    expect(((await (await edge.fetch(`/v1/conversations/${conv.id}`, { key })).json()) as Loose).message_count).toBe(2);
  });

  it("stream the Responses event sequence, named and numbered, ending with response.completed", async () => {
    const { edge, create, get } = await setup();
    const res = await create({ input: "Hi", stream: true });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = sseEvents(await res.text());
    await edge.settle();
    expect(events.map(([name]) => name)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.every(([name, data]) => data.type === name)).toBe(true);
    expect(events.map(([, data]) => data.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0][1].response).toMatchObject({ status: "in_progress", output: [] });
    expect(events.filter(([n]) => n === "response.output_text.delta").map(([, d]) => d.delta)).toEqual([
      "Hello",
      " world",
    ]);
    const final = events.at(-1)![1].response;
    expect(final).toMatchObject({ status: "completed", output: [{ content: [{ text: "Hello world" }] }] });
    expect(events[4][1].item_id).toBe(final.output[0].id);
    expect((await get(`/v1/responses/${final.id}`)).status).toBe("completed");
  });

  it("stream a failure as response.failed then the error envelope, keeping nothing", async () => {
    const { edge, key, create, get, runner } = await setup();
    const conv = (await (await edge.fetch("/v1/conversations", { method: "POST", key })).json()) as Loose;
    runner.generate = (_req, signal) =>
      ndjson(
        [
          { type: "delta", text: "par" },
          { type: "error", error: { code: "internal", message: "oops" } },
        ],
        signal,
      );
    const events = sseEvents(await (await create({ input: "Hi", stream: true, conversation: conv.id })).text());
    await edge.settle();
    expect(events.slice(-2).map(([name]) => name)).toEqual(["response.failed", "error"]);
    expect(events.at(-2)![1].response).toMatchObject({ status: "failed", error: { code: "internal_error" } });
    expect(events.at(-1)![1]).toMatchObject({ error: { code: "internal_error" } });
    expect(events.some(([, data]) => data === "[DONE]")).toBe(false);
    expect(await get(`/v1/conversations/${conv.id}`)).toMatchObject({ message_count: 0, generating: false });
  });

  it("report truncation: dropped exchanges, and a reply cut by the clamped limit as incomplete", async () => {
    const { ok, runner } = await setup();
    runner.generate = () => Response.json({ ...done("Cut", "length"), dropped_exchanges: 3, max_tokens: 5 });
    const r = await ok({ input: "Hi", truncation: "auto", max_output_tokens: 100 });
    expect(runner.generateCalls.at(-1)!.truncation).toBe("auto");
    expect(r).toMatchObject({
      status: "incomplete",
      incomplete_details: { reason: "max_output_tokens" },
      dropped_exchanges: 3,
      output: [{ status: "incomplete", content: [{ text: "Cut" }] }],
    });
  });

  it("keep nothing with store: false", async () => {
    const { ok, edge, key } = await setup();
    const r = await ok({ input: "Hi", store: false });
    expect(r.store).toBe(false);
    expect((await edge.fetch(`/v1/responses/${r.id}`, { key })).status).toBe(404);
  });

  it("page a response's input items, newest first by default", async () => {
    const { ok, get } = await setup();
    const input = ["a", "b", "c"].map((text) => ({ role: "user", content: text }));
    const r = await ok({ input });
    const all = await get(`/v1/responses/${r.id}/input_items`);
    expect(all.data.map((i: Loose) => i.content[0].text)).toEqual(["c", "b", "a"]);
    const page = await get(`/v1/responses/${r.id}/input_items?order=asc&limit=1&after=${all.data[2].id}`);
    expect(page).toMatchObject({ has_more: true, data: [{ content: [{ text: "b" }] }] });
  });

  it.each([
    [{ input: "x", tools: [{ type: "function" }] }, "tools"],
    [{ input: [{ type: "function_call", role: "user", content: "x" }] }, "input.0.type"],
    [
      { input: [{ role: "assistant", content: [{ type: "input_image", image_url: "file-abc" }] }] },
      "input.0.content.0",
    ],
    [{ input: [{ role: "user", content: [{ type: "input_image" }] }] }, "input.0.content.0.image_url"],
    [{ input: "x", previous_response_id: "resp_a", conversation: "conv_b" }, "previous_response_id"],
    [{ input: "x", text: { format: { type: "xml" } } }, "text.format.type"],
    [{ input: "x", background: true }, "background"],
    [{ input: "x", stream: true, num_beams: 2 }, "num_beams"],
    [{ input: "x", max_output_tokens: 0 }, "max_output_tokens"],
    [
      {
        input: [
          { role: "user", content: "q" },
          { role: "assistant", content: "a" },
        ],
      },
      "input.1",
    ],
    [
      {
        input: [
          { role: "assistant", content: "a" },
          { role: "user", content: "q" },
        ],
      },
      "input.0.role",
    ],
  ])("refuse %j naming %s", async (json, param) => {
    const { create } = await setup();
    const res = await create(json);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: "invalid_request_error", param } });
  });
});
