import { describe, expect, it } from "vitest";
import { validationErrorEnvelope } from "../common";
import { contentImages, contentText, imageUrlKind } from "./content";
import { ChatCompletionRequest } from "./request";
import { toGenerationParams } from "./sampling";

const PNG_1PX =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

function request(overrides: Record<string, unknown> = {}) {
  return { model: "mmgpt-tiny", messages: [{ role: "user", content: "Hello" }], ...overrides };
}

function issues(input: unknown): Array<{ path: string; message: string }> {
  const result = ChatCompletionRequest.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

describe("ChatCompletionRequest", () => {
  it("accepts an OpenAI-style payload with an image part", () => {
    const body = request({
      messages: [
        { role: "system", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: PNG_1PX, detail: "high" } },
          ],
        },
        { role: "assistant", content: "A pixel.", refusal: null, annotations: [] },
        { role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/cat.jpg" } }] },
      ],
      max_tokens: 64,
      temperature: 0.2,
      top_p: 0.9,
      stop: ["\n\n"],
      seed: 7,
      n: 1,
      stream: true,
      stream_options: { include_usage: true },
      user: "u-1",
      top_k: 10,
      repetition_penalty: 1.1,
    });
    expect(issues(body)).toEqual([]);
  });

  it("accepts nulls where OpenAI does, and the harmless ignored fields", () => {
    const body = request({
      temperature: null,
      stop: null,
      n: null,
      frequency_penalty: 0.5,
      presence_penalty: 0,
      store: false,
    });
    expect(issues(body)).toEqual([]);
  });

  it("accepts n, logprobs, penalties and logit_bias, and hands the runner only what is on", () => {
    const body = request({
      n: 3,
      logprobs: true,
      top_logprobs: 5,
      presence_penalty: 0.5,
      frequency_penalty: -1,
      logit_bias: { "450": -100, "13": 2 },
      seed: 7,
    });
    expect(issues(body)).toEqual([]);
    expect(toGenerationParams(ChatCompletionRequest.parse(body))).toMatchObject({
      n: 3,
      logprobs: 5,
      presence_penalty: 0.5,
      frequency_penalty: -1,
      logit_bias: { "450": -100, "13": 2 },
      seed: 7,
    });
    const plain = toGenerationParams(
      ChatCompletionRequest.parse(request({ n: 1, logprobs: false, presence_penalty: 0 })),
    );
    for (const key of ["n", "logprobs", "presence_penalty", "frequency_penalty", "logit_bias"])
      expect(plain).not.toHaveProperty(key);
    expect(toGenerationParams(ChatCompletionRequest.parse(request({ logprobs: true })))).toMatchObject({ logprobs: 0 });
  });

  it("accepts the hints today's OpenAI clients send, and ignores them", () => {
    const body = request({
      user: null,
      safety_identifier: "user-4f1c",
      prompt_cache_key: "thread-9",
      prompt_cache_retention: "24h",
      reasoning_effort: "minimal",
      verbosity: "low",
      service_tier: "auto",
    });
    expect(issues(body)).toEqual([]);
    const parsed = ChatCompletionRequest.parse(body);
    expect(toGenerationParams(parsed)).toEqual(toGenerationParams(ChatCompletionRequest.parse(request())));
  });

  it("takes stop: [] as no stop sequence", () => {
    expect(issues(request({ stop: [] }))).toEqual([]);
    expect(toGenerationParams(ChatCompletionRequest.parse(request({ stop: [] }))).stop).toEqual([]);
  });

  it("leaves top_k off unless asked, so OpenAI-style temperature/top_p sampling is not cut", () => {
    const params = (over: Record<string, unknown>) => toGenerationParams(ChatCompletionRequest.parse(request(over)));
    expect(params({ temperature: 0.8, top_p: 0.95 })).toMatchObject({ temperature: 0.8, top_p: 0.95, top_k: 0 });
    expect(params({ top_k: 20 }).top_k).toBe(20);
  });

  it("accepts image_url as a plain string, and reports a bad one by its path", () => {
    const user = (image_url: unknown) =>
      request({ messages: [{ role: "user", content: [{ type: "image_url", image_url }] }] });
    const parsed = ChatCompletionRequest.parse(user("https://example.com/cat.jpg"));
    expect(contentImages(parsed.messages[0]!.content as never)).toEqual([
      { url: "https://example.com/cat.jpg", part: 0 },
    ]);
    expect(issues(user("cat.jpg")).map((i) => i.path)).toEqual(["messages.0.content.0.image_url"]);
  });

  it("names an unsupported field in the error's param, as OpenAI does", () => {
    for (const field of ["tools", "tool_choice", "functions", "audio"]) {
      const result = ChatCompletionRequest.safeParse(request({ [field]: [] }));
      expect(result.success).toBe(false);
      const { error } = validationErrorEnvelope(result.error!, "req_1");
      expect(error).toMatchObject({ param: field, message: `${field}: unknown or unsupported field` });
    }
  });

  it("accepts an uploaded file id as the image url", () => {
    const body = request({
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "file-8a41c2f07d" } }] }],
    });
    expect(issues(body)).toEqual([]);
  });

  it.each([
    ["n=9", { n: 9 }, "n", "at most 8"],
    ["top_logprobs without logprobs", { top_logprobs: 3 }, "top_logprobs", "logprobs: true"],
    ["top_logprobs 21", { logprobs: true, top_logprobs: 21 }, "top_logprobs", ""],
    ["a penalty beyond 2", { presence_penalty: 2.5 }, "presence_penalty", ""],
    ["a bias beyond 100", { logit_bias: { "450": 101 } }, "logit_bias.450", ""],
    ["a bias key that is no token id", { logit_bias: { cat: 1 } }, "logit_bias.cat", "key"],
    ["n with beams", { n: 2, num_beams: 3 }, "n", "num_beams"],
    ["logprobs with beams", { logprobs: true, num_beams: 3 }, "logprobs", "num_beams"],
    ["logit_bias with beams", { logit_bias: { "1": 1 }, num_beams: 3 }, "logit_bias", "num_beams"],
    ["temperature 3", { temperature: 3 }, "temperature", ""],
    ["five stop strings", { stop: ["a", "b", "c", "d", "e"] }, "stop", "at most 4"],
    ["an unknown field", { tools: [] }, "", "Unrecognized key"],
    ["streamed beam search", { stream: true, num_beams: 3 }, "num_beams", "stream"],
  ])("rejects %s", (_name, overrides, path, message) => {
    const found = issues(request(overrides));
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]!.path).toBe(path);
    expect(found[0]!.message).toContain(message);
  });

  it.each([
    ["a non-image data URL", "data:text/plain;base64,aGVsbG8="],
    ["a data URL without base64", "data:image/png,iVBORw0KGgo"],
    ["broken base64", "data:image/png;base64,iVBOR w0K!!"],
    ["an http URL", "http://example.com/cat.jpg"],
    ["a bare word", "cat.jpg"],
  ])("rejects %s as image url", (_name, url) => {
    const found = issues(
      request({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url } }] }] }),
    );
    expect(found.map((i) => i.path)).toEqual(["messages.0.content.0.image_url.url"]);
  });

  describe("several images", () => {
    const image = (n: number) => ({ type: "image_url", image_url: { url: `https://example.com/${n}.png` } });
    const user = (...parts: unknown[]) => ({ role: "user", content: parts });
    const text = { type: "text", text: "Compare them." };

    it("accepts four images in one message, between text parts", () => {
      const body = request({ messages: [user(image(1), text, image(2), image(3), image(4))] });
      expect(issues(body)).toEqual([]);
    });

    it("rejects a fifth image in one message, naming it", () => {
      const found = issues(request({ messages: [user(text, image(1), image(2), image(3), image(4), image(5))] }));
      expect(found).toEqual([{ path: "messages.0.content.5.image_url.url", message: "at most 4 images per message" }]);
    });

    it("counts the images of consecutive user messages together (a system message between them too)", () => {
      const found = issues(
        request({
          messages: [
            user(image(1), image(2)),
            { role: "system", content: "Be brief." },
            user(image(3)),
            user(text, image(4), image(5)),
          ],
        }),
      );
      expect(found).toHaveLength(1);
      expect(found[0]!.path).toBe("messages.3.content.2.image_url.url");
      expect(found[0]!.message).toContain("at most 4 images per user turn");
    });

    it("starts a new count after an assistant message", () => {
      const body = request({
        messages: [
          user(image(1), image(2), image(3)),
          { role: "assistant", content: "Three shapes." },
          user(image(4), image(5), image(6), image(7)),
        ],
      });
      expect(issues(body)).toEqual([]);
    });

    it("allows 16 distinct images per request and repeats of them, not a 17th", () => {
      const turns = (urls: number[][]) =>
        urls.flatMap((ns, i) => [
          ...(i > 0 ? [{ role: "assistant", content: "ok" }] : []),
          user(...ns.map((n) => image(n))),
        ]);
      const sixteen = [0, 1, 2, 3].map((t) => [1, 2, 3, 4].map((k) => t * 4 + k));
      expect(issues(request({ messages: turns([...sixteen, [1, 5, 16]]) }))).toEqual([]);
      const found = issues(request({ messages: turns([...sixteen, [3, 17]]) }));
      expect(found).toEqual([
        { path: "messages.8.content.1.image_url.url", message: "at most 16 distinct images per request" },
      ]);
    });
  });

  it("rejects images outside user messages", () => {
    const found = issues(
      request({
        messages: [
          { role: "system", content: [{ type: "image_url", image_url: { url: PNG_1PX } }] },
          { role: "user", content: "hi" },
        ],
      }),
    );
    expect(found).toEqual([
      { path: "messages.0.content", message: "content must be a string or a non-empty array of text parts" },
    ]);
  });

  it("rejects empty content parts", () => {
    const found = issues(request({ messages: [{ role: "user", content: [] }] }));
    expect(found[0]!.path).toBe("messages.0.content");
  });

  it("requires the last message to be the user's", () => {
    const found = issues(
      request({
        messages: [
          { role: "user", content: "hi" },
          { role: "assistant", content: "hello" },
        ],
      }),
    );
    expect(found).toEqual([{ path: "messages", message: "the last message must be a user message" }]);
  });
});

describe("content helpers", () => {
  it("joins text parts and lists the images in order with their part index", () => {
    const content = [
      { type: "text" as const, text: "a" },
      { type: "image_url" as const, image_url: { url: "file-x1" } },
      { type: "text" as const, text: "b" },
      { type: "image_url" as const, image_url: { url: "file-x0" } },
    ];
    expect(contentText(content)).toBe("a\nb");
    expect(contentImages(content)).toEqual([
      { url: "file-x1", part: 1 },
      { url: "file-x0", part: 3 },
    ]);
    expect(contentImages("text only")).toEqual([]);
    expect(imageUrlKind(PNG_1PX)).toBe("data");
    expect(imageUrlKind("file-x1")).toBe("file");
    expect(imageUrlKind("https://example.com/a.png")).toBe("https");
  });
});

describe("toGenerationParams", () => {
  it("applies defaults and normalizes stop", () => {
    expect(toGenerationParams({ stop: "###", max_tokens: 10, max_completion_tokens: 20, seed: null })).toEqual({
      max_tokens: 20,
      temperature: 1,
      top_p: 1,
      top_k: 0,
      num_beams: 1,
      repetition_penalty: 1,
      stop: ["###"],
    });
  });
});

describe("response_format", () => {
  const schema = {
    type: "object",
    properties: { a: { type: "string" } },
    required: ["a"],
    additionalProperties: false,
  };
  const jsonSchema = (s: unknown, extra: Record<string, unknown> = {}) => ({
    type: "json_schema",
    json_schema: { name: "answer", strict: true, schema: s, ...extra },
  });

  it("accepts text, json_object and a supported json_schema, and hands the runner the schema", () => {
    for (const rf of [{ type: "text" }, { type: "json_object" }, jsonSchema(schema)]) {
      expect(issues(request({ response_format: rf }))).toEqual([]);
    }
    const parsed = ChatCompletionRequest.parse(request({ response_format: jsonSchema(schema) }));
    expect(toGenerationParams(parsed).response_format).toEqual({ type: "json_schema", schema });
    expect(toGenerationParams({ response_format: { type: "json_object" } }).response_format).toEqual({
      type: "json_object",
    });
    expect(toGenerationParams({ response_format: { type: "text" } })).not.toHaveProperty("response_format");
  });

  it("names an unsupported keyword with its full path", () => {
    const [issue] = issues(request({ response_format: jsonSchema({ properties: { a: { pattern: "^x" } } }) }));
    expect(issue.path).toBe("response_format.json_schema.schema.properties.a.pattern");
    expect(issue.message).toContain("`pattern`");
  });

  it("refuses unknown types, bad names and beam search", () => {
    expect(issues(request({ response_format: { type: "xml" } }))[0].path).toBe("response_format.type");
    expect(issues(request({ response_format: jsonSchema(schema, { name: "a b" }) }))[0].path).toBe(
      "response_format.json_schema.name",
    );
    expect(issues(request({ response_format: { type: "json_object" }, num_beams: 2 }))).toEqual([
      { path: "response_format", message: expect.stringContaining("num_beams > 1") },
    ]);
    expect(issues(request({ response_format: { type: "text" }, num_beams: 2 }))).toEqual([]);
  });
});
