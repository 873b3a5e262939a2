// Conversations: one generation at a time (409 conversation_busy), turns committed only when
// the reply completes (a failure mid-stream leaves the transcript as it was, with last_error),
// history sent to the runner, listing from the D1 index, and delete.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Edge, type Loose, sseData } from "./helpers/edge";
import { done, type FakeRunner, gate, ndjson } from "./helpers/fake-runner";
import { dataUrl, png } from "./helpers/images";

/** Streamed replies send `text`, then wait for the returned gate; plain ones answer `plain`. */
function holdStreamedReplies(runner: FakeRunner, text: string, plain: string) {
  const hold = gate();
  runner.generate = (req, signal) =>
    req.stream ? ndjson([{ type: "delta", text }, hold.promise, done(text)], signal) : Response.json(done(plain));
  return hold;
}

async function setup(options: ConstructorParameters<typeof Edge>[0] = {}) {
  const edge = new Edge(options);
  const { key } = await edge.newKey();
  const create = async (json: unknown = { system: "Be brief.", metadata: { project: "t" } }) =>
    (await (await edge.fetch("/v1/conversations", { method: "POST", key, json })).json()) as Record<string, Loose>;
  const send = (id: string, json: unknown, signal?: AbortSignal) =>
    edge.fetch(`/v1/conversations/${id}/messages`, { method: "POST", key, json, signal });
  const get = async (path: string) => (await (await edge.fetch(path, { key })).json()) as Record<string, Loose>;
  return { edge, key, create, send, get, runner: edge.runners.get() };
}

describe("conversations", () => {
  it("keep turns and send the history to the runner with the conversation id", async () => {
    const { create, send, get, runner } = await setup();
    const conv = await create();
    expect(conv).toMatchObject({ object: "conversation", model: "mmgpt-tiny", system: "Be brief.", message_count: 0 });
    const image = { type: "image_url", image_url: { url: dataUrl(await png(64, 48)) } };
    const first = await send(conv.id, { content: [{ type: "text", text: "What is this?" }, image] });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      object: "conversation.message",
      role: "assistant",
      content: [{ type: "text", text: "Hello world" }],
      finish_reason: "stop",
      usage: { total_tokens: 12 },
    });
    expect((await send(conv.id, { content: "And then?" })).status).toBe(200);

    const last = runner.generateCalls.at(-1)!;
    const hash = runner.generateCalls[0].turns[0].images![0];
    expect(last).toMatchObject({
      conversation_id: conv.id,
      system: "Be brief.",
      turns: [
        { role: "user", text: "What is this?", images: [hash] },
        { role: "assistant", text: "Hello world" },
        { role: "user", text: "And then?" },
      ],
    });
    const messages = await get(`/v1/conversations/${conv.id}/messages`);
    expect(messages.data.map((m: Loose) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(messages.data[0].content).toEqual([
      { type: "image", image: { sha256: hash, file_id: null } },
      { type: "text", text: "What is this?" },
    ]);
    const page = await get(`/v1/conversations/${conv.id}/messages?limit=1&order=desc&after=${messages.data[3].id}`);
    expect(page.data.map((m: Loose) => m.id)).toEqual([messages.data[2].id]);
    expect(await get(`/v1/conversations/${conv.id}`)).toMatchObject({ message_count: 4, last_error: null });
    expect((await get("/v1/conversations")).data[0]).toMatchObject({ id: conv.id, message_count: 4 });
  });

  it("allow one generation at a time: a concurrent send gets 409 conversation_busy", async () => {
    const { edge, create, send, runner } = await setup();
    const conv = await create();
    const hold = holdStreamedReplies(runner, "slow", "ok");
    const first = await send(conv.id, { content: "one", stream: true });
    expect(first.status).toBe(200);
    const second = await send(conv.id, { content: "two" });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: { code: "conversation_busy", type: "invalid_request_error" } });
    expect(second.headers.get("x-should-retry")).toBe("false"); // the openai client would retry a 409
    const del = await edge.fetch(`/v1/conversations/${conv.id}`, { method: "DELETE", key: (await edge.newKey()).key });
    expect(del.status).toBe(404); // someone else's delete never reveals the lock
    hold.open();
    const events = sseData(await first.text()) as Loose[];
    expect(events[0]).toMatchObject({ object: "conversation.message.delta", delta: { content: "slow" } });
    expect(events.at(-2)).toMatchObject({ object: "conversation.message", role: "assistant", id: events[0].id });
    expect(events.at(-1)).toBe("[DONE]");
    await edge.settle();
    expect((await send(conv.id, { content: "three" })).status).toBe(200);
  });

  it("commit only on success: a failure mid-stream leaves the transcript unchanged and visible", async () => {
    const { edge, create, send, get, runner } = await setup();
    const conv = await create();
    expect((await send(conv.id, { content: "first" })).status).toBe(200);
    runner.generate = () =>
      ndjson([
        { type: "delta", text: "half a rep" },
        { type: "error", error: { code: "internal", message: "GPU fell over" } },
      ]);
    const failed = await send(conv.id, { content: "second", stream: true });
    const events = sseData(await failed.text()) as Loose[];
    expect(events.at(-1)).toMatchObject({ error: { code: "internal_error" } });
    await edge.settle();

    const after = await get(`/v1/conversations/${conv.id}`);
    expect(after).toMatchObject({ message_count: 2, generating: false, last_error: { code: "internal_error" } });
    const messages = await get(`/v1/conversations/${conv.id}/messages`);
    expect(messages.data.map((m: Loose) => m.content[0].text)).toEqual(["first", "Hello world"]);

    // The next turn's context does not contain the failed attempt; success clears last_error.
    runner.generate = (req) => Response.json(done(`${req.turns.length} turns`));
    const next = (await (await send(conv.id, { content: "third" })).json()) as Loose;
    expect(next.content[0].text).toBe("3 turns");
    expect((await get(`/v1/conversations/${conv.id}`)).last_error).toBeNull();
  });

  it("let a lock whose lease expired be taken over; the stale generation commits nothing", async () => {
    const { edge, create, send, get, runner } = await setup();
    const conv = await create();
    const hold = holdStreamedReplies(runner, "stale", "fresh");
    const stale = await send(conv.id, { content: "one", stream: true });
    expect((await send(conv.id, { content: "two" })).status).toBe(409);
    // The worker holding the lock is presumed dead once its lease has run out.
    const stub = edge.env.CONVERSATIONS.get(edge.env.CONVERSATIONS.idFromName(conv.id));
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE conversation SET pending_until = ?", Date.now() - 1);
    });
    expect(await get(`/v1/conversations/${conv.id}`)).toMatchObject({ generating: false });
    const fresh = await send(conv.id, { content: "two" });
    expect(fresh.status).toBe(200);
    expect(((await fresh.json()) as Loose).content[0].text).toBe("fresh");

    hold.open(); // the presumed-dead generation finishes after all: its commit is refused
    const events = sseData(await stale.text()) as Loose[];
    expect(events.at(-1)).toMatchObject({ error: { code: "internal_error" } });
    await edge.settle();
    const messages = await get(`/v1/conversations/${conv.id}/messages`);
    expect(messages.data.map((m: Loose) => m.content[0].text)).toEqual(["two", "fresh"]);
    expect(await get(`/v1/conversations/${conv.id}`)).toMatchObject({ message_count: 2, generating: false });
  });

  it("record a cancelled generation when the client disconnects, and unlock", async () => {
    const { edge, create, send, get, runner } = await setup();
    const conv = await create();
    runner.generate = (_req, signal) => ndjson([{ type: "delta", text: "x" }, new Promise(() => {})], signal);
    const client = new AbortController();
    const res = await send(conv.id, { content: "hi", stream: true }, client.signal);
    const reader = res.body!.getReader();
    await reader.read();
    client.abort();
    await reader.cancel();
    await edge.settle();
    expect(await get(`/v1/conversations/${conv.id}`)).toMatchObject({
      message_count: 0,
      generating: false,
      last_error: { code: "cancelled" },
    });
  });

  it("release the lock without a record when the request's image is bad", async () => {
    const { create, send, get } = await setup();
    const conv = await create();
    const bad = await send(conv.id, {
      content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }],
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "invalid_image", param: "content.0.image_url.url" } });
    expect(await get(`/v1/conversations/${conv.id}`)).toMatchObject({ generating: false, last_error: null });
    expect((await send(conv.id, { content: "ok" })).status).toBe(200);
  });

  it("map a runner outage to 503 and keep the conversation usable", async () => {
    const { create, send, get, runner } = await setup();
    const conv = await create();
    runner.up = false;
    const res = await send(conv.id, { content: "hi" });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBeTruthy();
    expect(await get(`/v1/conversations/${conv.id}`)).toMatchObject({
      message_count: 0,
      last_error: { code: "runner_unavailable" },
    });
    runner.up = true;
    expect((await send(conv.id, { content: "hi" })).status).toBe(200);
  });

  it("list with cursor pagination and delete storage and index", async () => {
    const { edge, key, create, send, get } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await create({ metadata: { i: String(i) } })).id);
    const page1 = await get("/v1/conversations?limit=2");
    expect(page1.data.map((c: Loose) => c.id)).toEqual([ids[2], ids[1]]);
    expect(page1).toMatchObject({ has_more: true, first_id: ids[2], last_id: ids[1] });
    const page2 = await get(`/v1/conversations?limit=2&after=${page1.last_id}`);
    expect(page2.data.map((c: Loose) => c.id)).toEqual([ids[0]]);
    expect(page2.has_more).toBe(false);
    const asc = await get("/v1/conversations?order=asc");
    expect(asc.data.map((c: Loose) => c.id)).toEqual(ids);

    await send(ids[1], { content: "hi" });
    const del = await edge.fetch(`/v1/conversations/${ids[1]}`, { method: "DELETE", key });
    expect(await del.json()).toEqual({ id: ids[1], object: "conversation.deleted", deleted: true });
    expect((await edge.fetch(`/v1/conversations/${ids[1]}`, { key })).status).toBe(404);
    expect((await edge.fetch(`/v1/conversations/${ids[1]}/messages`, { key })).status).toBe(404);
    const stub = edge.env.CONVERSATIONS.get(edge.env.CONVERSATIONS.idFromName(ids[1]));
    expect(await stub.summary()).toBeNull();
    expect((await get("/v1/conversations")).data.map((c: Loose) => c.id)).toEqual([ids[2], ids[0]]);
  });

  it("validate ids and bodies against the contract", async () => {
    const { edge, key, create, send } = await setup();
    const badId = await edge.fetch("/v1/conversations/not-an-id", { key });
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({ error: { param: "conversation_id" } });
    const conv = await create();
    const extra = await send(conv.id, { content: "hi", tools: [] });
    expect(extra.status).toBe(400);
    const empty = await edge.fetch("/v1/conversations", { method: "POST", key });
    expect(empty.status).toBe(200);
  });
});
