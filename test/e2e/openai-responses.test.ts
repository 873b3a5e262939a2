// The official `openai` package, unchanged, on the Responses and Conversations APIs against the
// real stack: create/retrieve/delete/inputItems, both streaming forms, previous_response_id,
// conversations and their items, and a conversation run past the model's context.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";

const client = new OpenAI({ baseURL: inject("baseURL"), apiKey: inject("apiKey") });
const model = "mmgpt-tiny";
const image = `data:image/png;base64,${readFileSync(
  join(import.meta.dirname, "../../apps/edge/test/vectors/images/png-small.png"),
).toString("base64")}`;

describe("openai npm package: responses", () => {
  it("responses.create / retrieve / inputItems.list / delete", async () => {
    const r = await client.responses.create({
      model,
      instructions: "Answer briefly.",
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "What is in this image?" },
            { type: "input_image", image_url: image, detail: "auto" },
          ],
        },
      ],
      max_output_tokens: 16,
    });
    expect(r.object).toBe("response");
    expect(["completed", "incomplete"]).toContain(r.status);
    expect(r.output_text.length).toBeGreaterThan(0); // the client's own helper over `output`
    expect(r.usage!.input_tokens).toBeGreaterThan(20);
    expect(r.usage!.output_tokens).toBeGreaterThan(0);

    const again = await client.responses.retrieve(r.id);
    expect(again.id).toBe(r.id);
    expect(again.output_text).toBe(r.output_text);
    const items = [];
    for await (const item of client.responses.inputItems.list(r.id)) items.push(item);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ type: "message", role: "user" });

    await client.responses.delete(r.id);
    await expect(client.responses.retrieve(r.id)).rejects.toMatchObject({ status: 404 });
  });

  it("previous_response_id continues the exchange", async () => {
    const first = await client.responses.create({ model, input: "Name a shape.", max_output_tokens: 8 });
    const second = await client.responses.create({
      model,
      input: "And a colour?",
      previous_response_id: first.id,
      max_output_tokens: 8,
    });
    expect(second.previous_response_id).toBe(first.id);
    // The second prompt holds the first exchange, so it is longer than the first one was.
    expect(second.usage!.input_tokens).toBeGreaterThan(first.usage!.input_tokens + first.usage!.output_tokens);
  });

  it("stream: true yields the Responses event sequence", async () => {
    const stream = await client.responses.create({
      model,
      input: "Say something.",
      max_output_tokens: 8,
      stream: true,
    });
    const types: string[] = [];
    let text = "";
    let final: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed" || event.type === "response.incomplete") final = event.response;
    }
    expect(types.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(types.slice(-4, -1)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
    ]);
    expect(final?.output_text ?? final?.output[0]).toBeTruthy();
    expect(text.length).toBeGreaterThan(0);
  });

  it("responses.stream() accumulates the final response", async () => {
    const stream = client.responses.stream({ model, input: "Say something else.", max_output_tokens: 8 });
    let deltas = "";
    stream.on("response.output_text.delta", (e) => {
      deltas += e.delta;
    });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe(deltas);
    expect(final.output_text.length).toBeGreaterThan(0);
  });

  it("a bad request is an OpenAI BadRequestError naming the field", async () => {
    await expect(
      client.responses.create({ model, input: "x", previous_response_id: "resp_nothere" }),
    ).rejects.toMatchObject({ status: 404, param: "previous_response_id" });
    await expect(client.responses.create({ model, input: "x", tools: [{ type: "web_search" }] })).rejects.toMatchObject(
      { status: 400, param: "tools" },
    );
  });
});

describe("openai npm package: conversations", () => {
  it("conversations.create / retrieve / update / delete and items.create / list / retrieve / delete", async () => {
    const conv = await client.conversations.create({
      metadata: { test: "e2e" },
      items: [{ type: "message", role: "user", content: "Hello." }],
    });
    expect(conv.object).toBe("conversation");
    expect((await client.conversations.retrieve(conv.id)).metadata).toEqual({ test: "e2e" });
    expect((await client.conversations.update(conv.id, { metadata: { test: "updated" } })).metadata).toEqual({
      test: "updated",
    });

    const added = await client.conversations.items.create(conv.id, {
      items: [{ type: "message", role: "assistant", content: "Hi!" }],
    });
    expect(added.data).toHaveLength(1);
    const r = await client.responses.create({
      model,
      conversation: conv.id,
      input: "Which shape?",
      max_output_tokens: 8,
    });
    expect(r.conversation?.id).toBe(conv.id);

    const items = [];
    for await (const item of client.conversations.items.list(conv.id, { limit: 2 })) items.push(item);
    // Newest first: the reply, the question, the added item, the initial item.
    expect(items.map((i) => (i.type === "message" ? i.role : i.type))).toEqual([
      "assistant",
      "user",
      "assistant",
      "user",
    ]);
    expect(items[0].id).toBe(r.output[0]!.id);
    const one = await client.conversations.items.retrieve(items[1]!.id!, { conversation_id: conv.id });
    expect(one).toMatchObject({
      type: "message",
      role: "user",
      content: [{ type: "input_text", text: "Which shape?" }],
    });
    const after = await client.conversations.items.delete(items[3]!.id!, { conversation_id: conv.id });
    expect(after.id).toBe(conv.id);

    const deleted = await client.conversations.delete(conv.id);
    expect(deleted).toMatchObject({ id: conv.id, deleted: true });
    await expect(client.conversations.retrieve(conv.id)).rejects.toMatchObject({ status: 404 });
  });

  it("a conversation past the model's context keeps answering, dropping its oldest exchanges", async () => {
    const conv = await client.conversations.create({});
    // Each turn is ~700 tokens with the LLaMA tokenizer; the tiny model's context is 2,048.
    const long = (i: number) => `Turn ${i}: ${"the red circle is left of the blue square. ".repeat(70)}`;
    const dropped: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await client.responses.create({ model, conversation: conv.id, input: long(i), max_output_tokens: 16 });
      expect(r.usage!.input_tokens + 16).toBeLessThanOrEqual(2048);
      dropped.push((r as unknown as { dropped_exchanges: number }).dropped_exchanges);
    }
    expect(dropped[0]).toBe(0);
    expect(dropped.at(-1)).toBeGreaterThan(0);
    // Nothing was removed from the conversation itself: 5 questions and 5 replies.
    const page = await client.conversations.items.list(conv.id, { limit: 100 });
    expect(page.data).toHaveLength(10);
    // "disabled" keeps the 400 of old.
    await expect(
      client.responses.create({ model, conversation: conv.id, input: long(9), truncation: "disabled" }),
    ).rejects.toMatchObject({ status: 400, code: "context_length_exceeded" });
  });
});
