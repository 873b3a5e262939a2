// LangChain's ChatOpenAI (`@langchain/openai`), unchanged, against the real stack: invoke and
// stream on chat completions (its default) and on the Responses API (`useResponsesApi`), with a
// history, an image, usage metadata, and withStructuredOutput from a zod schema.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { describe, expect, inject, it } from "vitest";
import { z } from "zod";

const png = readFileSync(join(import.meta.dirname, "../../apps/edge/test/vectors/images/png-small.png"));
const pngDataUrl = `data:image/png;base64,${png.toString("base64")}`;

function chat(options: { useResponsesApi?: boolean; maxTokens?: number } = {}) {
  return new ChatOpenAI({
    model: "mmgpt-tiny",
    apiKey: inject("apiKey"),
    configuration: { baseURL: inject("baseURL") },
    maxRetries: 0,
    maxTokens: options.maxTokens ?? 8,
    useResponsesApi: options.useResponsesApi ?? false,
  });
}

/** A message's text, whether LangChain gives it as a string or as content blocks. */
const textOf = (content: unknown) =>
  typeof content === "string" ? content : (content as Array<{ text?: string }>).map((b) => b.text ?? "").join("");

describe.each([
  ["chat completions", false],
  ["Responses API", true],
])("LangChain ChatOpenAI on %s", (_name, useResponsesApi) => {
  it("invoke with a system text and a history, then its own reply sent back: text and usage_metadata", async () => {
    const history = [
      new SystemMessage("Be brief."),
      new HumanMessage("Hi."),
      new AIMessage("Hello! How can I help?"),
      new HumanMessage("Name a shape."),
    ];
    const r = await chat({ useResponsesApi }).invoke(history);
    expect(textOf(r.content).length).toBeGreaterThan(0);
    expect(r.usage_metadata!.input_tokens).toBeGreaterThan(10);
    expect(r.usage_metadata!.output_tokens).toBeGreaterThan(0);
    expect(r.usage_metadata!.output_tokens).toBeLessThanOrEqual(8);
    // The returned AIMessage goes back as LangChain sends it (Responses: with its item id and status).
    const next = await chat({ useResponsesApi }).invoke([...history, r, new HumanMessage("Another?")]);
    expect(next.usage_metadata!.input_tokens).toBeGreaterThan(r.usage_metadata!.input_tokens);
  });

  it("stream: the chunks add up to a reply", async () => {
    let text = "";
    let chunks = 0;
    for await (const chunk of await chat({ useResponsesApi }).stream("Say something.")) {
      text += textOf(chunk.content);
      chunks++;
    }
    expect(chunks).toBeGreaterThan(1);
    expect(text.length).toBeGreaterThan(0);
  });

  it("an image_url content block", async () => {
    const plain = await chat({ useResponsesApi }).invoke([new HumanMessage("What is this?")]);
    const r = await chat({ useResponsesApi }).invoke([
      new HumanMessage({
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: pngDataUrl } },
        ],
      }),
    ]);
    expect(textOf(r.content).length).toBeGreaterThan(0);
    expect(r.usage_metadata!.input_tokens).toBeGreaterThan(plain.usage_metadata!.input_tokens);
  });

  it("withStructuredOutput(zod) parses into the schema", async () => {
    const Shape = z.object({ shape: z.enum(["circle", "square", "triangle"]), count: z.number().int() });
    const r = await chat({ useResponsesApi, maxTokens: 64 }).withStructuredOutput(Shape).invoke("One shape, please.");
    expect(Shape.parse(r)).toEqual(r);
  });
});
