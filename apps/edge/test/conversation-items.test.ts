// OpenAI's Conversations API over our conversations: create with items and metadata, update,
// items list (newest first by default) / create / retrieve / delete, the busy rule for item
// changes, and truncation "auto" by default on `…/messages` with the count of dropped exchanges.
import { describe, expect, it } from "vitest";
import { Edge, type Loose } from "./helpers/edge";
import { done, gate, ndjson } from "./helpers/fake-runner";
import { png } from "./helpers/images";

async function setup() {
  const edge = new Edge();
  const { key } = await edge.newKey();
  const call = async (method: string, path: string, json?: unknown) => {
    const res = await edge.fetch(path, { method, key, json });
    return { status: res.status, body: (await res.json()) as Loose };
  };
  return { edge, key, call, runner: edge.runners.get() };
}

async function uploadImage(edge: Edge, key: string): Promise<string> {
  const form = new FormData();
  form.set("purpose", "vision");
  form.set("file", new File([await png(16, 16)], "a.png", { type: "image/png" }));
  const res = await edge.fetch("/v1/files", { method: "POST", key, body: form });
  return ((await res.json()) as Loose).id;
}

describe("conversation items", () => {
  it("create with items and metadata, list newest first, retrieve, update and delete", async () => {
    const { edge, key, call } = await setup();
    const fileId = await uploadImage(edge, key);
    const created = await call("POST", "/v1/conversations", {
      metadata: { topic: "shapes" },
      items: [
        { type: "message", role: "system", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "input_text", text: "Look" },
            { type: "input_image", file_id: fileId },
          ],
        },
        { role: "assistant", content: [{ type: "output_text", text: "A square." }] },
      ],
    });
    expect(created.status).toBe(200);
    const conv = created.body;
    expect(conv).toMatchObject({ object: "conversation", metadata: { topic: "shapes" }, message_count: 3 });
    expect(conv.id).toMatch(/^conv_/);

    const list = await call("GET", `/v1/conversations/${conv.id}/items`);
    expect(list.body.data.map((i: Loose) => i.role)).toEqual(["assistant", "user", "system"]);
    expect(list.body.data[1]).toMatchObject({
      type: "message",
      status: "completed",
      content: [
        { type: "input_image", image_url: null, file_id: fileId },
        { type: "input_text", text: "Look" },
      ],
    });
    expect(list.body.data[0].content).toEqual([
      { type: "output_text", text: "A square.", annotations: [], logprobs: [] },
    ]);
    const page = await call("GET", `/v1/conversations/${conv.id}/items?limit=1&after=${list.body.data[0].id}`);
    expect(page.body).toMatchObject({ has_more: true, data: [{ role: "user" }] });

    const one = await call("GET", `/v1/conversations/${conv.id}/items/${list.body.data[1].id}`);
    expect(one.body).toEqual(list.body.data[1]);
    const added = await call("POST", `/v1/conversations/${conv.id}/items`, {
      items: [{ role: "user", content: "More?" }],
    });
    expect(added.body).toMatchObject({ object: "list", data: [{ role: "user", content: [{ text: "More?" }] }] });

    const updated = await call("POST", `/v1/conversations/${conv.id}`, { metadata: { topic: "colours" } });
    expect(updated.body).toMatchObject({ id: conv.id, metadata: { topic: "colours" }, message_count: 4 });
    expect((await call("GET", `/v1/conversations/${conv.id}`)).body.metadata).toEqual({ topic: "colours" });
    expect((await call("GET", "/v1/conversations")).body.data[0].metadata).toEqual({ topic: "colours" });

    const deleted = await call("DELETE", `/v1/conversations/${conv.id}/items/${list.body.data[2].id}`);
    expect(deleted.body).toMatchObject({ object: "conversation", id: conv.id, message_count: 3 });
    expect((await call("GET", `/v1/conversations/${conv.id}/items/${list.body.data[2].id}`)).status).toBe(404);
    expect((await call("DELETE", `/v1/conversations/${conv.id}/items/${list.body.data[2].id}`)).status).toBe(404);
  });

  it("refuse item changes while a reply is generated", async () => {
    const { edge, key, call, runner } = await setup();
    const conv = (await call("POST", "/v1/conversations", { items: [{ role: "user", content: "hi" }] })).body;
    const item = (await call("GET", `/v1/conversations/${conv.id}/items`)).body.data[0];
    const hold = gate();
    runner.generate = (_req, signal) => ndjson([{ type: "delta", text: "a" }, hold.promise, done("a")], signal);
    const streaming = await edge.fetch(`/v1/conversations/${conv.id}/messages`, {
      method: "POST",
      key,
      json: { content: "x", stream: true },
    });
    const add = await call("POST", `/v1/conversations/${conv.id}/items`, { items: [{ role: "user", content: "y" }] });
    expect(add).toMatchObject({ status: 409, body: { error: { code: "conversation_busy" } } });
    const del = await call("DELETE", `/v1/conversations/${conv.id}/items/${item.id}`);
    expect(del).toMatchObject({ status: 409, body: { error: { code: "conversation_busy" } } });
    hold.open();
    await streaming.text();
    await edge.settle();
    expect((await call("GET", `/v1/conversations/${conv.id}`)).body.message_count).toBe(3);
    expect((await call("DELETE", `/v1/conversations/${conv.id}/items/${item.id}`)).status).toBe(200);
  });

  it("send …/messages with truncation auto by default and report the dropped exchanges", async () => {
    const { call, runner } = await setup();
    const conv = (await call("POST", "/v1/conversations", {})).body;
    runner.generate = () => Response.json({ ...done("ok"), dropped_exchanges: 2, max_tokens: 512 });
    const reply = await call("POST", `/v1/conversations/${conv.id}/messages`, { content: "hi" });
    expect(reply.body).toMatchObject({ role: "assistant", dropped_exchanges: 2 });
    expect(runner.generateCalls.at(-1)!.truncation).toBe("auto");
    await call("POST", `/v1/conversations/${conv.id}/messages`, { content: "hi", truncation: "disabled" });
    expect(runner.generateCalls.at(-1)!.truncation).toBe("disabled");
    // Not stored: the listed message has no count (the exchanges stay in the conversation).
    const listed = await call("GET", `/v1/conversations/${conv.id}/messages`);
    expect(listed.body.data[1].dropped_exchanges).toBeUndefined();
  });

  it.each([
    ["POST", "/v1/conversations", { items: [{ role: "tool", content: "x" }] }, "items.0.role"],
    ["POST", "/v1/conversations", { items: Array(21).fill({ role: "user", content: "x" }) }, "items"],
    ["POST", "/v1/conversations/conv_x", { metadata: { a: "b" }, extra: 1 }, "extra"],
    ["GET", "/v1/conversations/conv_nothere/items", undefined, "conversation_id"],
    ["GET", "/v1/conversations/conv_nothere/items/msg_x", undefined, "conversation_id"],
    ["GET", "/v1/conversations/conv_nothere/items/not-an-id", undefined, "item_id"],
  ])("%s %s %j → an error naming %s", async (method, path, json, param) => {
    const { call } = await setup();
    const res = await call(method, path, json);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body.error.param).toBe(param);
  });
});
