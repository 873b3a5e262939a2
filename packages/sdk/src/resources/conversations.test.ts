// Conversations and their messages: each method's request, pagination, streamed replies.
import { describe, expect, it } from "vitest";
import { fakeClient, json, splitBytes, sse } from "../../test/fake-fetch";

const conv = (id: string) => ({ id, object: "conversation" });
const page = (ids: string[], has_more: boolean) => ({
  object: "list",
  data: ids.map(conv),
  has_more,
  first_id: ids[0] ?? null,
  last_id: ids.at(-1) ?? null,
});

describe("conversations", () => {
  it("create, retrieve and delete hit their method and path", async () => {
    const { client, requests } = fakeClient([json(conv("conv_1"))]);
    await client.conversations.create({ system: "Be brief.", metadata: { project: "demo" } });
    await client.conversations.retrieve("conv_1");
    await client.conversations.delete("conv_1");
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      "POST /v1/conversations",
      "GET /v1/conversations/conv_1",
      "DELETE /v1/conversations/conv_1",
    ]);
    expect(await requests[0]!.json()).toEqual({ system: "Be brief.", metadata: { project: "demo" } });
    expect(requests[0]!.headers.get("idempotency-key")).toBeTruthy();
    expect(requests[2]!.headers.has("idempotency-key")).toBe(false);
  });

  it("update and the items API hit their method and path; items list pages with after = last_id", async () => {
    const item = (id: string) => ({ type: "message", id, status: "completed", role: "user", content: [] });
    const items = (ids: string[], has_more: boolean) => ({
      ...page([], has_more),
      data: ids.map(item),
      last_id: ids.at(-1),
    });
    const { client, requests } = fakeClient([
      json(conv("conv_1")),
      json(items(["msg_1"], false)),
      json(items(["msg_3", "msg_2"], true)),
      json(items(["msg_1"], false)),
      json(item("msg_1")),
      json(conv("conv_1")),
    ]);
    await client.conversations.update("conv_1", { metadata: { a: "b" } });
    await client.conversations.items.create("conv_1", { items: [{ role: "user", content: "hi" }] });
    const ids: string[] = [];
    for await (const i of client.conversations.items.list("conv_1", { limit: 2 })) ids.push(i.id);
    expect(ids).toEqual(["msg_3", "msg_2", "msg_1"]);
    expect((await client.conversations.items.retrieve("conv_1", "msg_1")).id).toBe("msg_1");
    expect((await client.conversations.items.delete("conv_1", "msg_1")).object).toBe("conversation");
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}${new URL(r.url).search}`)).toEqual([
      "POST /v1/conversations/conv_1",
      "POST /v1/conversations/conv_1/items",
      "GET /v1/conversations/conv_1/items?limit=2",
      "GET /v1/conversations/conv_1/items?limit=2&after=msg_2",
      "GET /v1/conversations/conv_1/items/msg_1",
      "DELETE /v1/conversations/conv_1/items/msg_1",
    ]);
    expect(await requests[0]!.json()).toEqual({ metadata: { a: "b" } });
  });

  it("create sends an empty object when given nothing", async () => {
    const { client, requests } = fakeClient([json(conv("conv_1"))]);
    await client.conversations.create();
    expect(await requests[0]!.json()).toEqual({});
  });

  it("list iterates every item across pages with after = last_id", async () => {
    const { client, requests } = fakeClient([json(page(["conv_3", "conv_2"], true)), json(page(["conv_1"], false))]);
    const ids: string[] = [];
    for await (const conversation of client.conversations.list({ limit: 2 })) ids.push(conversation.id);
    expect(ids).toEqual(["conv_3", "conv_2", "conv_1"]);
    expect(requests.map((r) => new URL(r.url).search)).toEqual(["?limit=2", "?limit=2&after=conv_2"]);
  });

  it("list().page() fetches one page only, and iteration reuses it", async () => {
    const { client, requests } = fakeClient([json(page(["conv_3"], true)), json(page(["conv_1"], false))]);
    const list = client.conversations.list({ order: "asc" });
    expect(requests).toHaveLength(0);
    const first = await list.page();
    expect(first.data.map((c) => c.id)).toEqual(["conv_3"]);
    expect(first.has_more).toBe(true);
    expect(requests).toHaveLength(1);
    const all = [];
    for await (const c of list) all.push(c.id);
    expect(all).toEqual(["conv_3", "conv_1"]);
    expect(requests).toHaveLength(2);
  });

  it("pages() yields whole pages and starts from a given cursor", async () => {
    const { client, requests } = fakeClient([json(page(["conv_1"], false))]);
    const pages = [];
    for await (const p of client.conversations.list({ after: "conv_2" }).pages()) pages.push(p.data.length);
    expect(pages).toEqual([1]);
    expect(new URL(requests[0]!.url).searchParams.get("after")).toBe("conv_2");
  });
});

const message = {
  id: "msg_2",
  object: "conversation.message",
  conversation_id: "conv_1",
  created_at: 1,
  role: "assistant",
  content: [{ type: "text", text: "A cat." }],
  model: "mmgpt-tiny",
  finish_reason: "stop",
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: { cached_tokens: 3 } },
};
const delta = (content: string) => ({
  object: "conversation.message.delta",
  id: "msg_2",
  conversation_id: "conv_1",
  delta: { content },
});

describe("conversations.messages", () => {
  it("create POSTs the user turn and returns the assistant message", async () => {
    const { client, requests } = fakeClient([json(message)]);
    const content = [{ type: "text" as const, text: "What is this?" }];
    const reply = await client.conversations.messages.create("conv_1", { content, max_tokens: 8 });
    expect(reply.id).toBe("msg_2");
    expect(requests[0]!.method).toBe("POST");
    expect(new URL(requests[0]!.url).pathname).toBe("/v1/conversations/conv_1/messages");
    expect(await requests[0]!.json()).toEqual({ content, max_tokens: 8 });
  });

  it("create with stream: true yields deltas then the committed message", async () => {
    const body = [delta("A "), delta("ginger "), delta("cat."), message]
      .map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`)
      .join("")
      .concat("data: [DONE]\r\n\r\n");
    const { client, requests } = fakeClient([sse(splitBytes(body, 5))]);
    const stream = await client.conversations.messages.create("conv_1", { content: "Hi", stream: true });
    expect(requests[0]!.headers.get("accept")).toBe("text/event-stream");
    expect(await stream.text()).toBe("A ginger cat.");
    expect(stream.finalMessage?.id).toBe("msg_2");
    expect(stream.finalUsage?.total_tokens).toBe(7);
  });

  it("list pages through the transcript", async () => {
    const first = { object: "list", data: [{ id: "msg_1" }], has_more: true, first_id: "msg_1", last_id: "msg_1" };
    const second = { object: "list", data: [{ id: "msg_2" }], has_more: false, first_id: "msg_2", last_id: "msg_2" };
    const { client, requests } = fakeClient([json(first), json(second)]);
    const ids = [];
    for await (const m of client.conversations.messages.list("conv_1")) ids.push(m.id);
    expect(ids).toEqual(["msg_1", "msg_2"]);
    expect(requests.map((r) => `${new URL(r.url).pathname}${new URL(r.url).search}`)).toEqual([
      "/v1/conversations/conv_1/messages",
      "/v1/conversations/conv_1/messages?after=msg_1",
    ]);
  });

  it("escapes ids in paths", async () => {
    const { client, requests } = fakeClient([json(conv("x"))]);
    await client.conversations.retrieve("a/b?c");
    expect(requests[0]!.url).toBe("https://api.test/v1/conversations/a%2Fb%3Fc");
  });
});
