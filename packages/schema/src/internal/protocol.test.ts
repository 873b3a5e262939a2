import { describe, expect, it } from "vitest";
import {
  GenerateRequest,
  ImageMissingBody,
  imagePath,
  ndjsonLine,
  PREPROCESSED_IMAGE_BYTES,
  readGenerateEvents,
  requestImages,
  routingPath,
  runnerHeaders,
} from "./index";

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);
const SHA_C = "c".repeat(64);
const params = { max_tokens: 64, temperature: 0, top_p: 1, top_k: 0, num_beams: 1, repetition_penalty: 1, stop: [] };

function body(overrides: Record<string, unknown> = {}) {
  return {
    request_id: "req_1",
    model: "mmgpt-tiny",
    tenant: "t".repeat(43),
    conversation_id: "conv_1",
    system: "Be brief.",
    turns: [
      { role: "user", text: "What is this?", images: [SHA_A] },
      { role: "assistant", text: "A cat." },
      { role: "user", text: "And these?", images: [SHA_B, SHA_A, SHA_C] },
    ],
    params,
    stream: true,
    ...overrides,
  };
}

function paths(input: unknown): string[] {
  const result = GenerateRequest.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join("."));
}

describe("GenerateRequest", () => {
  it("accepts alternating turns ending with the user's", () => {
    expect(paths(body())).toEqual([]);
    // Every hash once, in order of first use: what the runner may have to ask for.
    expect(requestImages(GenerateRequest.parse(body()))).toEqual([SHA_A, SHA_B, SHA_C]);
  });

  it("requires an opaque tenant key", () => {
    expect(paths(body({ tenant: undefined }))).toEqual(["tenant"]);
    for (const tenant of ["short", "acct 1 with spaces!", "x".repeat(129)])
      expect(paths(body({ tenant }))).toEqual(["tenant"]);
  });

  it("rejects turns that do not alternate or end with the assistant", () => {
    expect(paths(body({ turns: [{ role: "assistant", text: "hi" }] }))).toContain("turns.0.role");
    expect(
      paths(
        body({
          turns: [
            { role: "user", text: "a" },
            { role: "assistant", text: "b" },
          ],
        }),
      ),
    ).toEqual(["turns"]);
  });

  it("rejects an image on an assistant turn, a malformed hash and a fifth image in a turn", () => {
    const assistant = [
      { role: "user", text: "a", images: [SHA_A] },
      { role: "assistant", text: "b", images: [SHA_A] },
      { role: "user", text: "c" },
    ];
    expect(paths(body({ turns: assistant }))).toEqual(["turns.1.images"]);
    const malformed = [{ role: "user", text: "a", images: [SHA_A, "xyz"] }];
    expect(paths(body({ turns: malformed }))).toEqual(["turns.0.images.1"]);
    const five = [{ role: "user", text: "c", images: [SHA_A, SHA_B, SHA_C, SHA_A, SHA_B] }];
    expect(paths(body({ turns: five }))).toEqual(["turns.0.images"]);
  });

  it("refuses the single `image` field of protocol peers that predate several images", () => {
    const turns = [{ role: "user", text: "a", image: SHA_A }];
    expect(paths(body({ turns }))).toEqual(["turns.0"]);
  });

  it("rejects streamed beam search and more than 4 stop strings", () => {
    expect(paths(body({ params: { ...params, num_beams: 3 } }))).toEqual(["params.num_beams"]);
    expect(paths(body({ params: { ...params, stop: ["a", "b", "c", "d", "e"] } }))).toEqual(["params.stop"]);
  });

  it("refuses n, logprobs, OpenAI's penalties and logit_bias with beam search (stream false)", () => {
    const beams = { ...params, num_beams: 3 };
    const extra = { n: 2, logprobs: 0, presence_penalty: 1, frequency_penalty: 1, logit_bias: { "5": 1 } };
    expect(paths(body({ stream: false, params: { ...beams, ...extra } }))).toEqual(
      Object.keys(extra).map((k) => `params.${k}`),
    );
    expect(paths(body({ stream: false, params: { ...params, ...extra } }))).toEqual([]);
    expect(paths(body({ stream: false, params: { ...params, logit_bias: { x: 1 } } }))).toEqual([
      "params.logit_bias.x",
    ]);
  });
});

describe("NDJSON events", () => {
  it("reads events split across chunks", async () => {
    const text =
      ndjsonLine({ type: "start", prompt_tokens: 10, cached_tokens: 4 }) +
      ndjsonLine({ type: "delta", text: "A ca" }) +
      ndjsonLine({ type: "delta", text: "t. é" }) +
      ndjsonLine({
        type: "done",
        finish_reason: "stop",
        text: "A cat. é",
        usage: { prompt_tokens: 10, completion_tokens: 3, cached_tokens: 4 },
        prompt: "Below is an instruction…",
      });
    const bytes = new TextEncoder().encode(text);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
        controller.close();
      },
    });
    const events = [];
    for await (const event of readGenerateEvents(stream)) events.push(event);
    expect(events.map((e) => e.type)).toEqual(["start", "delta", "delta", "done"]);
    expect(events[2]).toEqual({ type: "delta", text: "t. é" });
  });

  it("throws on a line that is not an event", async () => {
    const stream = new Response('{"type":"nope"}\n').body!;
    await expect(async () => {
      for await (const _ of readGenerateEvents(stream)) {
        // drain
      }
    }).rejects.toThrow();
  });
});

describe("constants", () => {
  it("describe the wire format", () => {
    expect(PREPROCESSED_IMAGE_BYTES).toBe(224 * 224 * 3);
    expect(imagePath(SHA_A)).toBe(`/internal/v1/images/${SHA_A}`);
    expect(routingPath("/internal/v1/images/{sha256}")).toBe("/internal/v1/images/:sha256");
    expect(runnerHeaders("s3cret", "req_1")).toEqual({
      authorization: "Bearer s3cret",
      "x-mmgpt-protocol": "4",
      "x-request-id": "req_1",
    });
    expect(runnerHeaders("s3cret", undefined, "t".repeat(43))).toEqual({
      authorization: "Bearer s3cret",
      "x-mmgpt-protocol": "4",
      "x-mmgpt-tenant": "t".repeat(43),
    });
    expect(ImageMissingBody.safeParse({ error: { code: "image_missing", missing: [SHA_A] } }).success).toBe(true);
  });
});
