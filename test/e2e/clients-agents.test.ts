// The OpenAI Agents SDK (`@openai/agents`), unchanged, against the real stack: an Agent on the
// Responses API (its default) run plain and streamed, two-turn runs (previousResponseId, a
// conversation, the run's history, an OpenAIConversationsSession), an image input, structured
// output from a zod outputType, model settings, and the chat completions model. Tracing is off:
// it would export to api.openai.com.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  Agent,
  MemorySession,
  OpenAIChatCompletionsModel,
  OpenAIConversationsSession,
  OpenAIResponsesModel,
  run,
  setDefaultOpenAIClient,
  setTracingDisabled,
  user,
} from "@openai/agents";
import OpenAI from "openai";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";

const client = new OpenAI({ baseURL: inject("baseURL"), apiKey: inject("apiKey"), maxRetries: 0 });
const MODEL = "mmgpt-tiny";
const png = readFileSync(join(import.meta.dirname, "../../apps/edge/test/vectors/images/png-small.png"));
const pngDataUrl = `data:image/png;base64,${png.toString("base64")}`;

beforeAll(() => {
  setTracingDisabled(true);
  setDefaultOpenAIClient(client);
});

const agent = new Agent({
  name: "Assistant",
  instructions: "Answer briefly.",
  model: MODEL,
  modelSettings: { maxTokens: 8 },
});

/** The prompt tokens of a run's (single) model call. */
const inputTokens = (r: { rawResponses: Array<{ usage: { inputTokens: number } }> }) =>
  r.rawResponses[0]!.usage.inputTokens;

describe("OpenAI Agents SDK on the Responses API", () => {
  it("run(agent, text): the final output, the response id and usage", async () => {
    const r = await run(agent, "Name a shape.");
    expect(typeof r.finalOutput).toBe("string");
    expect(r.finalOutput!.length).toBeGreaterThan(0);
    expect(r.lastResponseId).toMatch(/^resp_/);
    expect(r.rawResponses).toHaveLength(1);
    const { usage } = r.rawResponses[0]!;
    expect(usage.inputTokens).toBeGreaterThan(5);
    expect(usage.outputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBeLessThanOrEqual(8);
    expect(usage.totalTokens).toBe(usage.inputTokens + usage.outputTokens);
    // The response the SDK read is the one the API stored.
    expect((await client.responses.retrieve(r.lastResponseId!)).output_text).toBe(r.finalOutput);
  });

  it("run(agent, text, {stream: true}): toTextStream() yields the final output", async () => {
    const r = await run(agent, "Name a shape.", { stream: true });
    let text = "";
    for await (const chunk of r.toTextStream()) text += chunk;
    await r.completed;
    expect(r.error).toBeNull();
    expect(text.length).toBeGreaterThan(0);
    expect(text).toBe(r.finalOutput);
    expect(r.lastResponseId).toMatch(/^resp_/);
  });

  it("two turns through previousResponseId, a conversationId and the run's history", async () => {
    const first = await run(agent, "Name a shape.");
    const chained = await run(agent, "And a colour?", { previousResponseId: first.lastResponseId });
    expect(chained.finalOutput!.length).toBeGreaterThan(0);
    const alone = await run(agent, "And a colour?");
    // The first exchange is in the chained prompt.
    expect(inputTokens(chained)).toBeGreaterThan(inputTokens(alone));

    const history = await run(agent, [...first.history, user("And a colour?")]);
    expect(inputTokens(history)).toBeGreaterThan(inputTokens(alone));

    const conv = await client.conversations.create({});
    await run(agent, "Name a shape.", { conversationId: conv.id });
    const second = await run(agent, "And a colour?", { conversationId: conv.id });
    expect(inputTokens(second)).toBeGreaterThan(inputTokens(alone));
    const items = await client.conversations.items.list(conv.id, { order: "asc" });
    expect(items.data.map((i) => (i.type === "message" ? i.role : i.type))).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
    ]);
  });

  it("sessions: OpenAIConversationsSession (the Conversations API) and MemorySession", async () => {
    const session = new OpenAIConversationsSession({ client });
    await run(agent, "Name a shape.", { session });
    const second = await run(agent, "And a colour?", { session });
    expect(second.finalOutput!.length).toBeGreaterThan(0);
    const stored = await session.getItems();
    expect(stored).toHaveLength(4);
    const conversationId = await session.getSessionId();
    const items = await client.conversations.items.list(conversationId, { order: "asc" });
    expect(items.data).toHaveLength(4);

    const memory = new MemorySession();
    await run(agent, "Name a shape.", { session: memory });
    const again = await run(agent, "And a colour?", { session: memory });
    expect(again.finalOutput!.length).toBeGreaterThan(0);
    expect(await memory.getItems()).toHaveLength(4);
  });

  it("an input_image item, as a data URL", async () => {
    const text = await run(agent, [{ role: "user", content: [{ type: "input_text", text: "What is this?" }] }]);
    const r = await run(agent, [
      {
        role: "user",
        content: [
          { type: "input_text", text: "What is this?" },
          { type: "input_image", image: pngDataUrl, detail: "auto" },
        ],
      },
    ]);
    expect(r.finalOutput!.length).toBeGreaterThan(0);
    expect(inputTokens(r)).toBeGreaterThan(inputTokens(text));
  });

  it("structured output: a zod outputType (text.format json_schema) parses into the type", async () => {
    const Shape = z.object({ shape: z.enum(["circle", "square", "triangle"]), count: z.number().int() });
    const typed = new Agent({
      name: "Describer",
      instructions: "Describe one shape as JSON.",
      model: MODEL,
      outputType: Shape,
      modelSettings: { maxTokens: 64 },
    });
    const r = await run(typed, "One shape, please.");
    expect(Shape.parse(r.finalOutput)).toEqual(r.finalOutput);
  });

  it("model settings: an OpenAIResponsesModel with sampling, store and the ignored options", async () => {
    const model = new OpenAIResponsesModel(client, MODEL);
    const r = await run(
      new Agent({
        name: "Settings",
        model,
        modelSettings: {
          maxTokens: 8,
          temperature: 0.5,
          topP: 0.9,
          store: false,
          truncation: "auto",
          toolChoice: "auto",
          parallelToolCalls: false,
          reasoning: { effort: "low" },
          text: { verbosity: "low" },
        },
      }),
      "Hi.",
    );
    expect(r.finalOutput!.length).toBeGreaterThan(0);
    // store: false keeps nothing.
    await expect(client.responses.retrieve(r.lastResponseId!)).rejects.toMatchObject({ status: 404 });
  });
});

describe("OpenAI Agents SDK on chat completions", () => {
  const chatAgent = new Agent({
    name: "Chat",
    instructions: "Answer briefly.",
    model: new OpenAIChatCompletionsModel(client, MODEL),
    modelSettings: { maxTokens: 8 },
  });

  it("run plain and streamed", async () => {
    const r = await run(chatAgent, "Name a shape.");
    expect(r.finalOutput!.length).toBeGreaterThan(0);
    expect(r.rawResponses[0]!.usage.outputTokens).toBeGreaterThan(0);
    const s = await run(chatAgent, "Name a shape.", { stream: true });
    let text = "";
    for await (const chunk of s.toTextStream()) text += chunk;
    await s.completed;
    expect(text.length).toBeGreaterThan(0);
    expect(text).toBe(s.finalOutput);
  });
});
