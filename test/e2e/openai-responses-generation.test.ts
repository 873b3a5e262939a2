// Issue #17 through the Responses API with the official `openai` package, unchanged, against the
// real stack (tiny model, untrained weights): `text.format` json_schema → every reply that ends
// by itself parses and validates (create, parse, stream), `include` logprobs with
// `top_logprobs: 5` streamed and not, the `n` extension, two images in one message, and the
// refusals with their param.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";
import { WEATHER } from "./schemas.js";

const client = new OpenAI({ baseURL: inject("baseURL"), apiKey: inject("apiKey"), maxRetries: 0 });
const ajv = new Ajv({ strict: false });
const model = "mmgpt-tiny";
const LOGPROBS: OpenAI.Responses.ResponseIncludable[] = ["message.output_text.logprobs"];

const format = (schema: Record<string, unknown>): OpenAI.Responses.ResponseFormatTextConfig => ({
  type: "json_schema",
  name: "weather",
  strict: true,
  schema,
});

/** Every message that ended by itself is JSON valid for `schema`; returns how many did. */
function expectValid(output: OpenAI.Responses.ResponseOutputItem[], schema: object): number {
  let ended = 0;
  for (const item of output) {
    if (item.type !== "message" || item.status !== "completed") continue;
    ended++;
    const text = item.content.map((p) => (p.type === "output_text" ? p.text : "")).join("");
    expect(ajv.validate(schema, JSON.parse(text)), `${text}: ${ajv.errorsText()}`).toBe(true);
  }
  return ended;
}

describe("openai package: responses with text.format, logprobs and n", () => {
  it("text.format json_schema: the reply parses and validates, greedy and sampled; the format is echoed", async () => {
    for (const temperature of [0, 1, 2]) {
      const r = await client.responses.create({
        model,
        input: "Describe the weather as JSON.",
        max_output_tokens: 200,
        temperature,
        text: { format: format(WEATHER) },
        store: false,
      });
      expect(r.status).toBe("completed");
      expect(expectValid(r.output, WEATHER)).toBe(1);
      expect(ajv.validate(WEATHER, JSON.parse(r.output_text))).toBe(true);
      expect(r.text?.format).toMatchObject({ type: "json_schema", name: "weather", strict: true, schema: WEATHER });
    }
  });

  it("responses.parse gives output_parsed; responses.stream's final response validates", async () => {
    const parsed = await client.responses.parse({
      model,
      input: "Weather?",
      max_output_tokens: 200,
      temperature: 0.7,
      text: { format: format(WEATHER) },
    });
    expect(ajv.validate(WEATHER, parsed.output_parsed)).toBe(true);

    const stream = client.responses.stream({
      model,
      input: "Weather?",
      max_output_tokens: 200,
      temperature: 0.9,
      text: { format: format(WEATHER) },
      previous_response_id: parsed.id,
    });
    let deltas = "";
    stream.on("response.output_text.delta", (e) => {
      deltas += e.delta;
    });
    const final = await stream.finalResponse();
    expect(final.status).toBe("completed");
    expect(deltas).toBe(final.output_text);
    expect(ajv.validate(WEATHER, JSON.parse(final.output_text))).toBe(true);
  });

  it("json_object and a conversation: the reply that ends is a JSON object", async () => {
    const conversation = await client.conversations.create({});
    for (const seed of [1, 2, 3]) {
      const r = await client.responses.create({
        model,
        input: "Answer as a JSON object.",
        max_output_tokens: 40,
        temperature: 0,
        conversation: conversation.id,
        text: { format: { type: "json_object" } },
        seed,
      } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
      if (r.status === "incomplete") {
        expect(r.output_text).toMatch(/^\{("|\}$)/);
        continue;
      }
      const value = JSON.parse(r.output_text);
      expect(typeof value === "object" && value !== null && !Array.isArray(value)).toBe(true);
    }
  });

  it("include logprobs with top_logprobs: 5: every token with its bytes and five alternatives", async () => {
    const r = await client.responses.create({
      model,
      input: "Tell me about the sea.",
      max_output_tokens: 10,
      temperature: 1,
      include: LOGPROBS,
      top_logprobs: 5,
      store: false,
    });
    const part = r.output[0].type === "message" ? r.output[0].content[0] : undefined;
    if (part?.type !== "output_text") throw new Error("no output_text");
    const logprobs = part.logprobs!;
    expect(logprobs).toHaveLength(r.usage!.output_tokens);
    for (const entry of logprobs) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.top_logprobs).toHaveLength(5);
      const tops = entry.top_logprobs.map((t) => t.logprob);
      expect(tops).toEqual([...tops].sort((a, b) => b - a));
      expect(entry.bytes.length).toBeGreaterThan(0);
    }
    const decoded = new TextDecoder().decode(Uint8Array.from(logprobs.flatMap((e) => e.bytes)));
    expect(decoded).toContain(part.text.trim());
    expect(r.top_logprobs).toBe(5);

    // top_logprobs without the include: none, as OpenAI.
    const none = await client.responses.create({
      model,
      input: "Tell me about the sea.",
      max_output_tokens: 4,
      top_logprobs: 5,
      store: false,
    });
    expect(none.output[0].type === "message" && none.output[0].content[0]).toMatchObject({ logprobs: [] });
  });

  it("streamed logprobs: the deltas' tokens are the non-streamed answer's, and the done events hold them all", async () => {
    const params = {
      model,
      input: "Tell me about the sea.",
      max_output_tokens: 10,
      temperature: 1,
      seed: 11,
      include: LOGPROBS,
      top_logprobs: 5,
      store: false,
    } as OpenAI.Responses.ResponseCreateParamsNonStreaming;
    const whole = await client.responses.create(params);
    const wholePart = whole.output[0].type === "message" ? whole.output[0].content[0] : undefined;
    if (wholePart?.type !== "output_text") throw new Error("no output_text");

    const stream = await client.responses.create({ ...params, stream: true });
    const streamed: string[] = [];
    let doneTokens: string[] = [];
    let final: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") streamed.push(...event.logprobs.map((e) => e.token));
      if (event.type === "response.output_text.done") doneTokens = event.logprobs.map((e) => e.token);
      if (event.type === "response.completed" || event.type === "response.incomplete") final = event.response;
    }
    const tokens = wholePart.logprobs!.map((e) => e.token);
    expect(streamed).toEqual(tokens);
    expect(doneTokens).toEqual(tokens);
    // The raw event's response has no `output_text` helper: its part holds the text.
    const finalPart = final!.output[0].type === "message" ? final!.output[0].content[0] : undefined;
    expect(finalPart).toMatchObject({ text: wholePart.text, logprobs: wholePart.logprobs });
  });

  it("n: 3 (extension) with a schema: three output messages from one prompt, each valid", async () => {
    const r = await client.responses.create({
      model,
      input: "Describe the weather as JSON.",
      max_output_tokens: 200,
      temperature: 1.2,
      seed: 4,
      n: 3,
      text: { format: format(WEATHER) },
      store: false,
    } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    expect(r.output).toHaveLength(3);
    expect(new Set(r.output.map((m) => m.id)).size).toBe(3);
    expect(expectValid(r.output, WEATHER)).toBe(3);
  });

  it("two images in one message: each gets its own image block in the prompt", async () => {
    const image = `data:image/png;base64,${readFileSync(
      join(import.meta.dirname, "../../apps/edge/test/vectors/images/png-small.png"),
    ).toString("base64")}`;
    const ask = (images: number) =>
      client.responses.create({
        model,
        input: [
          {
            role: "user",
            content: [
              ...Array.from({ length: images }, () => ({
                type: "input_image" as const,
                image_url: image,
                detail: "auto" as const,
              })),
              { type: "input_text", text: "Compare these." },
            ],
          },
        ],
        max_output_tokens: 4,
        store: false,
      });
    const [one, two] = [await ask(1), await ask(2)];
    expect(two.status).not.toBe("failed");
    expect(two.usage!.input_tokens).toBeGreaterThan(one.usage!.input_tokens);
    expect(((two as unknown as { prompt: string }).prompt.match(/<image>/g) ?? []).length).toBe(2);
  });

  it("an unsupported keyword or a costly string bound is a 400 naming it", async () => {
    const email = { type: "object", properties: { email: { type: "string", format: "email" } } };
    await expect(client.responses.create({ model, input: "x", text: { format: format(email) } })).rejects.toMatchObject(
      {
        status: 400,
        param: "text.format.schema.properties.email.format",
        message: expect.stringContaining("`format`"),
      },
    );
    const long = { type: "object", properties: { essay: { type: "string", maxLength: 5000 } } };
    await expect(client.responses.create({ model, input: "x", text: { format: format(long) } })).rejects.toMatchObject({
      status: 400,
      param: "text.format.schema.properties.essay.maxLength",
    });
  });
});
