// The Vercel AI SDK (`ai` + `@ai-sdk/openai`), unchanged, against the real stack: its default
// `openai(model)` (the Responses API) and `openai.chat(model)` (chat completions), with what an
// AI SDK app does first — generateText / streamText with a prompt, a system text, a history
// (the previous result's messages: item references on Responses), images, the call settings,
// `providerOptions.openai`, structured output from a zod schema — and the errors it surfaces.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createOpenAI } from "@ai-sdk/openai";
import {
  APICallError,
  type FilePart,
  generateObject,
  generateText,
  type ImagePart,
  type LanguageModel,
  Output,
  streamText,
} from "ai";
import { describe, expect, inject, it } from "vitest";
import { z } from "zod";

const baseURL = inject("baseURL");
const apiKey = inject("apiKey");
const openai = createOpenAI({ baseURL, apiKey });
const MODEL = "mmgpt-tiny";
const png = readFileSync(join(import.meta.dirname, "../../apps/edge/test/vectors/images/png-small.png"));
const pngDataUrl = `data:image/png;base64,${png.toString("base64")}`;
const SHAPE = z.object({
  shape: z.enum(["circle", "square", "triangle"]),
  color: z.enum(["red", "blue", "yellow"]),
  count: z.number().int(),
});

/** Each surface: its model, its ids, and how it sends an earlier reply back. */
const surfaces: Array<[string, LanguageModel, RegExp, string]> = [
  ["openai(model): Responses", openai(MODEL), /^resp_/, '"type":"item_reference"'],
  ["openai.chat(model): chat completions", openai.chat(MODEL), /^chatcmpl-/, '"role":"assistant"'],
];

/** A stored response as GET /v1/responses/{id} answers it (status and body). */
async function storedResponse(id: string) {
  const res = await fetch(`${baseURL}/responses/${id}`, { headers: { authorization: `Bearer ${apiKey}` } });
  return { status: res.status, body: (await res.json()) as { output: Array<{ content: Array<{ text: string }> }> } };
}

describe.each(surfaces)("AI SDK %s", (_name, model, idPattern, replySent) => {
  it("generateText: a prompt with a system text and the call settings", async () => {
    const r = await generateText({
      model,
      system: "Answer briefly.",
      prompt: "Name a shape.",
      maxOutputTokens: 8,
      temperature: 0.7,
      topP: 0.9,
      maxRetries: 0,
    });
    expect(r.text.length).toBeGreaterThan(0);
    expect(["length", "stop"]).toContain(r.finishReason);
    expect(r.usage.inputTokens).toBeGreaterThan(5);
    expect(r.usage.outputTokens).toBeGreaterThan(0);
    expect(r.usage.outputTokens).toBeLessThanOrEqual(8);
    expect(r.usage.totalTokens).toBe(r.usage.inputTokens! + r.usage.outputTokens!);
    expect(r.response.id).toMatch(idPattern);
    expect(r.response.modelId).toBe(MODEL);
    // Nothing the SDK would warn about beyond what OpenAI's own API lacks (seed on Responses).
    expect(r.warnings ?? []).toEqual([]);
  });

  it("streamText: the streamed text is the result's text, with usage and finish reason", async () => {
    const s = streamText({ model, prompt: "Say something.", maxOutputTokens: 8, maxRetries: 0 });
    let streamed = "";
    for await (const delta of s.textStream) streamed += delta;
    expect(streamed.length).toBeGreaterThan(0);
    expect(streamed).toBe(await s.text);
    expect(["length", "stop"]).toContain(await s.finishReason);
    const usage = await s.usage;
    expect(usage.outputTokens).toBeGreaterThan(0);
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect((await s.response).id).toMatch(idPattern);
  });

  it("a multi-message history, and the previous result's messages sent back", async () => {
    const first = await generateText({
      model,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi." },
        { role: "assistant", content: "Hello! How can I help?" },
        { role: "user", content: "Name a shape." },
      ],
      allowSystemInMessages: true,
      maxOutputTokens: 8,
      maxRetries: 0,
    });
    expect(first.text.length).toBeGreaterThan(0);
    // The usual AI SDK loop: append the reply's messages, then the next question.
    const second = await generateText({
      model,
      messages: [
        { role: "user", content: "Name a shape." },
        ...first.response.messages,
        { role: "user", content: "And a colour?" },
      ],
      maxOutputTokens: 8,
      maxRetries: 0,
    });
    expect(second.text.length).toBeGreaterThan(0);
    expect(JSON.stringify(second.request.body)).toContain(replySent);
    // The reply is in the prompt: it holds more than the two questions alone.
    const alone = await generateText({
      model,
      messages: [
        { role: "user", content: "Name a shape." },
        { role: "user", content: "And a colour?" },
      ],
      maxOutputTokens: 1,
      maxRetries: 0,
    });
    expect(second.usage.inputTokens).toBeGreaterThan(alone.usage.inputTokens!);
  });

  it("image parts: bytes, a data URL string, a URL object and an image file part", async () => {
    const text = await generateText({ model, prompt: "What is in this image?", maxOutputTokens: 4, maxRetries: 0 });
    const parts: Array<ImagePart | FilePart> = [
      { type: "image", image: new Uint8Array(png) },
      { type: "image", image: pngDataUrl },
      { type: "image", image: new URL(pngDataUrl) },
      { type: "file", data: new Uint8Array(png), mediaType: "image/png" },
    ];
    for (const part of parts) {
      const r = await generateText({
        model,
        messages: [{ role: "user", content: [{ type: "text", text: "What is in this image?" }, part] }],
        maxOutputTokens: 4,
        maxRetries: 0,
      });
      expect(r.text.length).toBeGreaterThan(0);
      // The image's tokens are in the prompt.
      expect(r.usage.inputTokens).toBeGreaterThan(text.usage.inputTokens!);
    }
  });

  it("structured output from a zod schema: generateObject and Output.object", async () => {
    const { object } = await generateObject({
      model,
      schema: SHAPE,
      prompt: "Describe one shape of the picture as JSON.",
      maxOutputTokens: 64,
      maxRetries: 0,
    });
    expect(SHAPE.parse(object)).toEqual(object);
    const { output } = await generateText({
      model,
      output: Output.object({ schema: SHAPE }),
      prompt: "Describe one shape as JSON.",
      maxOutputTokens: 64,
      maxRetries: 0,
    });
    expect(SHAPE.parse(output)).toEqual(output);
  });

  it("errors arrive as APICallError with OpenAI's status and message", async () => {
    const unknown = generateText({ model: openai.chat("no-such-model"), prompt: "x", maxRetries: 0 });
    await expect(unknown).rejects.toBeInstanceOf(APICallError);
    await expect(unknown).rejects.toMatchObject({ statusCode: 404, isRetryable: false });
    const tooLong = generateText({ model, prompt: "x", maxOutputTokens: 100_000, maxRetries: 0 });
    await expect(tooLong).rejects.toMatchObject({ statusCode: 400, isRetryable: false });
    await expect(tooLong).rejects.toThrow(/max_(output_)?tokens/);
  });
});

describe("AI SDK openai(model): providerOptions.openai", () => {
  const model = openai(MODEL);

  it("previousResponseId continues a stored response; store: false keeps nothing", async () => {
    const first = await generateText({ model, prompt: "Name a shape.", maxOutputTokens: 8, maxRetries: 0 });
    const firstId = first.providerMetadata?.openai?.responseId as string;
    expect(firstId).toMatch(/^resp_/);
    expect((await storedResponse(firstId)).body.output[0]!.content[0]!.text).toBe(first.text);
    const second = await generateText({
      model,
      prompt: "And a colour?",
      maxOutputTokens: 8,
      maxRetries: 0,
      providerOptions: { openai: { previousResponseId: firstId, store: false } },
    });
    expect(second.usage.inputTokens).toBeGreaterThan(first.usage.inputTokens! + first.usage.outputTokens! - 1);
    expect((await storedResponse(second.providerMetadata?.openai?.responseId as string)).status).toBe(404);
  });

  it("conversation, instructions and the options that change nothing here", async () => {
    const conv = (await (
      await fetch(`${baseURL}/conversations`, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: "{}",
      })
    ).json()) as { id: string };
    for (const question of ["Name a shape.", "And a colour?"]) {
      const r = await generateText({
        model,
        prompt: question,
        maxOutputTokens: 8,
        maxRetries: 0,
        providerOptions: {
          openai: {
            conversation: conv.id,
            instructions: "Answer briefly.",
            user: "user-1",
            metadata: { app: "e2e" },
            parallelToolCalls: false,
            serviceTier: "auto",
            promptCacheKey: "e2e",
            safetyIdentifier: "user-1",
            textVerbosity: "low",
            truncation: "auto",
            maxToolCalls: 1,
          },
        },
      });
      expect(r.text.length).toBeGreaterThan(0);
    }
    const items = await fetch(`${baseURL}/conversations/${conv.id}/items?order=asc`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const data = ((await items.json()) as { data: Array<{ role: string }> }).data;
    expect(data.map((i) => i.role)).toEqual(["user", "assistant", "user", "assistant"]);
  });

  it("an uploaded vision file as an image part by its id (the provider's fileIdPrefixes: file-…)", async () => {
    const body = new FormData();
    body.append("purpose", "vision");
    body.append("file", new Blob([png], { type: "image/png" }), "shape.png");
    const upload = await fetch(`${baseURL}/files`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}` },
      body,
    });
    const { id } = (await upload.json()) as { id: string };
    const part = (image: string) => ({ type: "image" as const, image, mediaType: "image/png" });
    const text = { type: "text" as const, text: "What is in this image?" };
    const r = await generateText({
      model,
      messages: [{ role: "user", content: [text, part(id)] }],
      maxOutputTokens: 4,
      maxRetries: 0,
    });
    expect(JSON.stringify(r.request.body)).toContain(`"file_id":"${id}"`);
    const inline = await generateText({
      model,
      messages: [{ role: "user", content: [text, part(pngDataUrl)] }],
      maxOutputTokens: 4,
      maxRetries: 0,
    });
    // The same image either way: the same prompt.
    expect(r.usage.inputTokens).toBe(inline.usage.inputTokens);
  });

  it("logprobs through include", async () => {
    const r = await generateText({
      model,
      prompt: "Say something.",
      maxOutputTokens: 4,
      maxRetries: 0,
      providerOptions: { openai: { logprobs: 2 } },
    });
    const logprobs = r.providerMetadata?.openai?.logprobs as unknown as Array<Array<{ top_logprobs: unknown[] }>>;
    expect(logprobs.flat().length).toBe(r.usage.outputTokens);
    expect(logprobs.flat()[0]!.top_logprobs).toHaveLength(2);
  });
});

describe("AI SDK openai.chat(model): providerOptions.openai and chat-only settings", () => {
  it("seed, penalties, stop sequences, logprobs and the ignored options", async () => {
    const call = () =>
      generateText({
        model: openai.chat(MODEL),
        prompt: "Say something.",
        maxOutputTokens: 6,
        temperature: 1,
        seed: 7,
        presencePenalty: 0.2,
        frequencyPenalty: 0.2,
        stopSequences: ["\n\n"],
        maxRetries: 0,
        providerOptions: {
          openai: {
            logprobs: 2,
            user: "user-1",
            store: false,
            metadata: { app: "e2e" },
            parallelToolCalls: false,
            serviceTier: "auto",
            promptCacheKey: "e2e",
            safetyIdentifier: "user-1",
            reasoningEffort: "low",
            textVerbosity: "low",
          },
        },
      });
    const [a, b] = [await call(), await call()];
    expect(a.text).toBe(b.text); // the same seed on the same runner
    const logprobs = a.providerMetadata?.openai?.logprobs as unknown as Array<{ top_logprobs: unknown[] }>;
    expect(logprobs).toHaveLength(a.usage.outputTokens!);
    expect(logprobs[0]!.top_logprobs).toHaveLength(2);
  });
});
