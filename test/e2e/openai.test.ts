// The official `openai` package, unchanged, pointed at our base URL: chat with an image_url
// data URL, plain and streaming, and with several images in one message; the hints and forms
// today's clients send; files uploaded from a stream; models; errors as the client reads them.
import { createReadStream, readFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI, { toFile } from "openai";
import { describe, expect, inject, it } from "vitest";

const vectorPath = (name: string) => join(import.meta.dirname, "../../apps/edge/test/vectors/images", name);
const vector = (name: string, type: string) =>
  `data:${type};base64,${readFileSync(vectorPath(name)).toString("base64")}`;
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

  it("accepts the hints today's clients send, stop: [] and a plain-string image_url", async () => {
    const r = await client.chat.completions.create({
      model: "mmgpt-tiny",
      messages: [
        {
          role: "user",
          // Not in the client's types, but sent by other OpenAI clients; the API accepts it.
          content: [
            { type: "image_url", image_url: dataUrl as never },
            { type: "text", text: "Describe it." },
          ],
        },
      ],
      max_completion_tokens: 4,
      stop: [],
      safety_identifier: "user-1234",
      prompt_cache_key: "thread-1",
      reasoning_effort: "low",
      verbosity: "low",
    });
    expect(r.choices[0].message.role).toBe("assistant");
  });

  it("uploads an image from a stream and from toFile (application/octet-stream), then chats with it", async () => {
    const streamed = await client.files.create({
      file: createReadStream(vectorPath("png-small.png")),
      purpose: "vision",
    });
    const buffered = await client.files.create({
      file: await toFile(readFileSync(vectorPath("jpeg-exif6.jpg")), "photo"),
      purpose: "vision",
    });
    for (const file of [streamed, buffered]) {
      expect(file).toMatchObject({ object: "file", purpose: "vision", status: "processed", expires_at: null });
      expect((await client.files.waitForProcessing(file.id, { pollInterval: 10, maxWait: 5_000 })).status).toBe(
        "processed",
      );
    }
    const content = await client.files.content(buffered.id);
    expect(content.headers.get("content-type")).toBe("image/jpeg");
    const r = await client.chat.completions.create({
      model: "mmgpt-tiny",
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: streamed.id } }] }],
      max_tokens: 4,
    });
    expect(r.usage!.prompt_tokens).toBeGreaterThan(30);
    await client.files.delete(streamed.id);
    await client.files.delete(buffered.id);
  });

  it("retrieves a model, and an unknown one is a NotFoundError model_not_found", async () => {
    expect(await client.models.retrieve("mmgpt-tiny")).toMatchObject({ id: "mmgpt-tiny", object: "model" });
    await expect(client.models.retrieve("gpt-4o")).rejects.toMatchObject({
      constructor: OpenAI.NotFoundError,
      status: 404,
      code: "model_not_found",
      type: "invalid_request_error",
      param: "model",
    });
    await expect(client.chat.completions.create({ model: "gpt-4o", messages, max_tokens: 4 })).rejects.toMatchObject({
      status: 404,
      code: "model_not_found",
      param: "model",
    });
  });

  it("errors carry OpenAI's type, code, param and the request id", async () => {
    const bad = new OpenAI({ baseURL: inject("baseURL"), apiKey: "mmgpt_sk_not_a_real_key", maxRetries: 0 });
    const unauthorized = await bad.models.list().catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(unauthorized).toMatchObject({ type: "invalid_request_error", code: "invalid_api_key" });
    expect((unauthorized as InstanceType<typeof OpenAI.APIError>).requestID).toMatch(/^req_/);
    const rejected = await client.chat.completions
      .create({
        model: "mmgpt-tiny",
        messages,
        tools: [{ type: "function", function: { name: "f", parameters: {} } }],
      })
      .catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(OpenAI.BadRequestError);
    expect(rejected).toMatchObject({ type: "invalid_request_error", code: "invalid_request_error", param: "tools" });
    const headers = (rejected as InstanceType<typeof OpenAI.APIError>).headers!;
    expect(headers.get("x-should-retry")).toBe("false");
  });

  it("sends OpenAI's rate-limit headers beside ours", async () => {
    const { response } = await client.models.list().withResponse();
    const h = response.headers;
    expect(Number(h.get("x-ratelimit-limit-requests"))).toBeGreaterThan(0);
    expect(h.get("x-ratelimit-remaining-requests")).toBe(h.get("x-ratelimit-remaining"));
    expect(h.get("x-ratelimit-reset-requests")).toMatch(/^(\d+h)?(\d+m)?\d+s$/);
    // A generation adds the account's token figures: its charge (1 for the prompt + 8) is taken
    // from the bucket (which refills fast, so two answers in a row may both show a full bucket).
    const { response: generated } = await client.chat.completions
      .create({ model: "mmgpt-tiny", messages: [{ role: "user", content: "Hi" }], max_tokens: 8 })
      .withResponse();
    const g = generated.headers;
    const limit = Number(g.get("x-ratelimit-limit-tokens"));
    expect(limit).toBeGreaterThan(0);
    expect(Number(g.get("x-ratelimit-remaining-tokens"))).toBeLessThanOrEqual(limit - 9);
    expect(g.get("x-ratelimit-reset-tokens")).toMatch(/^(\d+h)?(\d+m)?\d+(\.\d+)?s$|^\d+ms$/);
  });
});
