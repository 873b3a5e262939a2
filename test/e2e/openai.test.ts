// The official `openai` package, unchanged, pointed at our base URL: chat with an image_url
// data URL, plain and streaming.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";

const image = readFileSync(join(import.meta.dirname, "../../apps/edge/test/vectors/images/jpeg-exif6.jpg"));
const dataUrl = `data:image/jpeg;base64,${image.toString("base64")}`;
const client = new OpenAI({ baseURL: inject("baseURL"), apiKey: inject("apiKey") });
const messages: OpenAI.ChatCompletionMessageParam[] = [
  {
    role: "user",
    content: [
      { type: "text", text: "What is in this image?" },
      { type: "image_url", image_url: { url: dataUrl } },
    ],
  },
];

describe("openai npm package against mmgpt", () => {
  it("chat.completions.create with an image_url data URL", async () => {
    const r = await client.chat.completions.create({ model: "mmgpt-tiny", messages, max_tokens: 12 });
    expect(r.object).toBe("chat.completion");
    expect(r.choices[0].message.role).toBe("assistant");
    expect(r.choices[0].message.content!.length).toBeGreaterThan(0);
    expect(r.usage!.completion_tokens).toBeGreaterThan(0);
    expect(r.usage!.prompt_tokens).toBeGreaterThan(30);
  });

  it("the same request streaming, with usage in the last chunk", async () => {
    const stream = await client.chat.completions.create({
      model: "mmgpt-tiny",
      messages,
      max_tokens: 12,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text.length).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("errors come back as OpenAI errors with the envelope", async () => {
    const bad = new OpenAI({ baseURL: inject("baseURL"), apiKey: "mmgpt_sk_not_a_real_key", maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: "mmgpt-tiny", messages, max_tokens: 4 })).rejects.toMatchObject({
      status: 401,
    });
  });
});
