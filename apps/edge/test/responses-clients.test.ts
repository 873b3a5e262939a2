// What OpenAI clients other than the `openai` package send to POST /v1/responses (the Vercel AI
// SDK, the OpenAI Agents SDK, LangChain): item references to stored messages in place of their
// content, and OpenAI fields that change nothing here. End to end with the clients themselves:
// test/e2e/clients-*.test.ts.
import { describe, expect, it } from "vitest";
import type { Loose } from "./helpers/edge";
import { dataUrl, png } from "./helpers/images";
import { responsesSetup } from "./helpers/responses";

const setup = responsesSetup;

const user = (text: string) => ({ role: "user", content: [{ type: "input_text", text }] });

describe("responses: item references", () => {
  it("an item_reference stands for a stored reply or input message (the AI SDK's history)", async () => {
    const { ok, get, runner } = await setup();
    const image = { type: "input_image", image_url: dataUrl(await png(32, 32)) };
    const first = await ok({ input: [{ role: "user", content: [{ type: "input_text", text: "One" }, image] }] });
    const [question] = (await get(`/v1/responses/${first.id}/input_items`)).data;
    // As the AI SDK sends it (type given), and as OpenAI allows it (type left out).
    const second = await ok({
      input: [{ type: "item_reference", id: question.id }, { id: first.output[0].id }, user("Two")],
    });
    const call = runner.generateCalls.at(-1)!;
    expect(call.turns).toEqual([
      { role: "user", text: "One", images: [expect.stringMatching(/^[0-9a-f]{64}$/)] },
      { role: "assistant", text: "Hello world" },
      { role: "user", text: "Two" },
    ]);
    expect(call.turns[0]!.images).toEqual(runner.generateCalls.at(-2)!.turns[0]!.images);

    // Stored as copies under new ids, which can be referenced in turn, twice if need be.
    const items = (await get(`/v1/responses/${second.id}/input_items?order=asc`)).data as Loose[];
    expect(items.map((i) => [i.role, i.content.map((p: Loose) => p.type)])).toEqual([
      ["user", ["input_image", "input_text"]],
      ["assistant", ["output_text"]],
      ["user", ["input_text"]],
    ]);
    expect(items[1].id).not.toBe(first.output[0].id);
    const ref = (id: string) => ({ type: "item_reference", id });
    await ok({
      input: [ref(items[0].id), ref(items[1].id), ref(items[0].id), ref(second.output[0].id), user("Three")],
    });
    expect(runner.generateCalls.at(-1)!.turns.map((t) => [t.role, t.text, t.images?.length ?? 0])).toEqual([
      ["user", "One", 1],
      ["assistant", "Hello world", 0],
      ["user", "One", 1],
      ["assistant", "Hello world", 0],
      ["user", "Three", 0],
    ]);
  });

  it("references in a conversation are added to it as copies", async () => {
    const { edge, key, ok, get } = await setup();
    const first = await ok({ input: "One" });
    const conv = (await (await edge.fetch("/v1/conversations", { method: "POST", key })).json()) as Loose;
    await ok({
      conversation: conv.id,
      input: [user("One"), { type: "item_reference", id: first.output[0].id }, user("Two")],
    });
    const items = (await get(`/v1/conversations/${conv.id}/items?order=asc`)).data as Loose[];
    expect(items.map((i) => [i.role, i.content[0].text])).toEqual([
      ["user", "One"],
      ["assistant", "Hello world"],
      ["user", "Two"],
      ["assistant", "Hello world"],
    ]);
    expect(new Set(items.map((i) => i.id)).size).toBe(4);
  });

  it("a reference to nothing of the caller's is a 404 naming it; a non-message id a 400", async () => {
    const { edge, key, ok, create } = await setup();
    const kept = await ok({ input: "One" });
    const unstored = await ok({ input: "One", store: false });
    const deleted = await ok({ input: "One" });
    await edge.fetch(`/v1/responses/${deleted.id}`, { method: "DELETE", key });
    const other = await edge.newKey();
    const ids = ["msg_nothere", unstored.output[0].id, deleted.output[0].id];
    for (const id of ids) {
      const res = await create({ input: [user("x"), { type: "item_reference", id }, user("y")] });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: "not_found", param: "input.1.id" } });
    }
    const foreign = await create(
      { input: [{ type: "item_reference", id: kept.output[0].id }, user("y")] },
      { key: other.key },
    );
    expect(foreign.status).toBe(404);
    const reasoning = await create({ input: [{ type: "item_reference", id: "rs_123" }, user("y")] });
    expect(reasoning.status).toBe(400);
    expect(await reasoning.json()).toMatchObject({ error: { param: "input.0.id" } });
    const tool = await create({ input: [{ type: "function_call_output", call_id: "c", output: "x" }] });
    expect(await tool.json()).toMatchObject({ error: { param: "input.0.type" } });
  });
});

describe("responses: OpenAI fields the clients send", () => {
  it("accept and ignore what changes nothing without tools, reasoning or caching", async () => {
    const { ok, runner } = await setup();
    const r = await ok({
      input: "Hi",
      max_tool_calls: 2, // the AI SDK's maxToolCalls
      prompt_cache_retention: "24h",
      prompt_cache_key: "k",
      include: [],
      tools: [],
      tool_choice: "auto",
      parallel_tool_calls: false,
      text: { verbosity: "low" },
      reasoning: { effort: "low", summary: "auto" },
      stream_options: { include_obfuscation: false },
      service_tier: "auto",
      user: "u1",
      safety_identifier: "s",
      metadata: { a: "b" },
    });
    expect(r).toMatchObject({ status: "completed", metadata: { a: "b" } });
    expect(runner.generateCalls.at(-1)!.turns).toEqual([{ role: "user", text: "Hi" }]);
  });
});
