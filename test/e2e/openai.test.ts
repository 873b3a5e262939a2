// The official `openai` package, unchanged, pointed at our base URL: chat with an image_url
// data URL, plain and streaming, and with several images in one message.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";

const vector = (name: string, type: string) =>
  `data:${type};base64,${readFileSync(join(import.meta.dirname, "../../apps/edge/test/vectors/images", name)).toString("base64")}`;
const dataUrl = vector("jpeg-exif6.jpg", "image/jpeg");
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

  it("several images in one message: each adds its own image block to the prompt", async () => {
    const urls = [dataUrl, vector("png-small.png", "image/png"), vector("webp-lossy.webp", "image/webp")];
    const ask = async (n: number) => {
      const images = urls.slice(0, n).map((url) => ({ type: "image_url" as const, image_url: { url } }));
      const r = await client.chat.completions.create({
        model: "mmgpt-tiny",
        messages: [{ role: "user", content: [...images, { type: "text", text: "Which image is the brightest?" }] }],
        max_tokens: 4,
      });
      expect(r.choices[0].message.role).toBe("assistant");
      return r.usage!.prompt_tokens;
    };
    const [one, two, three] = [await ask(1), await ask(2), await ask(3)];
    // Each image past the first adds the same "### Image:" block and its <image> token.
    expect(two - one).toBeGreaterThan(1);
    expect(three - two).toBe(two - one);
  });

  it("a fifth image in a message is a 400 naming it", async () => {
    const image = { type: "image_url" as const, image_url: { url: dataUrl } };
    await expect(
      client.chat.completions.create({
        model: "mmgpt-tiny",
        messages: [{ role: "user", content: [image, image, image, image, image] }],
        max_tokens: 4,
      }),
    ).rejects.toMatchObject({ status: 400, param: "messages.0.content.4.image_url.url" });
  });

  it("errors come back as OpenAI errors with the envelope", async () => {
    const bad = new OpenAI({ baseURL: inject("baseURL"), apiKey: "mmgpt_sk_not_a_real_key", maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: "mmgpt-tiny", messages, max_tokens: 4 })).rejects.toMatchObject({
      status: 401,
    });
  });
});
