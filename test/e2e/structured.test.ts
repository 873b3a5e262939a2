// Structured output through the whole stack with the official `openai` package: response_format
// json_schema / json_object → the edge checks the schema → the runner decodes under the grammar
// (tiny model, untrained weights) → every choice that ends by itself parses and validates.
import Ajv from "ajv";
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";
import { mulberry32 } from "../../apps/gpu-runner/src/weights/prng.js";
import { randomSchema } from "../../apps/gpu-runner/test/random-schema.js";
import { WEATHER } from "./schemas.js";

const client = new OpenAI({ baseURL: inject("baseURL"), apiKey: inject("apiKey"), maxRetries: 0 });
const ajv = new Ajv({ strict: false });
const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Describe a city as JSON." }];

function format(schema: Record<string, unknown>): OpenAI.ResponseFormatJSONSchema {
  return { type: "json_schema", json_schema: { name: "answer", strict: true, schema } };
}

/** Every choice that ended by itself is JSON valid for `schema`; returns how many did. */
function expectValid(choices: { message: { content: string | null }; finish_reason: string }[], schema: object) {
  let ended = 0;
  for (const c of choices) {
    if (c.finish_reason !== "stop") continue;
    ended++;
    const text = c.message.content ?? "";
    expect(ajv.validate(schema, JSON.parse(text)), `${text}: ${ajv.errorsText()}`).toBe(true);
  }
  return ended;
}

describe("structured output with the openai package", () => {
  it("json_schema: the reply parses and validates, greedy and sampled", async () => {
    for (const temperature of [0, 1, 2]) {
      const r = await client.chat.completions.create({
        model: "mmgpt-tiny",
        messages,
        max_tokens: 200,
        temperature,
        seed: 11,
        response_format: format(WEATHER),
      });
      expect(expectValid(r.choices, WEATHER)).toBe(r.choices.length);
    }
  });

  it("random schemas × random sampling settings", async () => {
    const rnd = mulberry32(2026);
    let ended = 0;
    const total = 12;
    for (let i = 0; i < total; i++) {
      const schema = randomSchema(rnd);
      const r = await client.chat.completions.create({
        model: "mmgpt-tiny",
        messages,
        max_tokens: 160,
        temperature: rnd() * 2,
        top_p: rnd() < 0.5 ? 1 : 0.2 + rnd() * 0.8,
        seed: Math.floor(rnd() * 1e9),
        response_format: format(schema),
      });
      ended += expectValid(r.choices, schema);
    }
    expect(ended).toBeGreaterThan(total / 2);
  });

  it("json_schema streamed: the concatenated deltas parse and validate", async () => {
    const stream = await client.chat.completions.create({
      model: "mmgpt-tiny",
      messages,
      max_tokens: 200,
      temperature: 0.8,
      seed: 5,
      stream: true,
      response_format: format(WEATHER),
    });
    let text = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe("stop");
    expect(ajv.validate(WEATHER, JSON.parse(text)), text).toBe(true);
  });

  it("json_object: a reply that ends is a JSON object; one cut by max_tokens is the start of one", async () => {
    // Untrained weights rarely close an unbounded key string, so most of these are cut: the
    // grammar still holds every token to an object's prefix (the engine tests cover endings).
    for (const seed of [1, 2, 3]) {
      const r = await client.chat.completions.create({
        model: "mmgpt-tiny",
        messages,
        max_tokens: 40,
        temperature: 1,
        seed,
        response_format: { type: "json_object" },
      });
      const [choice] = r.choices;
      const text = choice.message.content ?? "";
      if (choice.finish_reason === "length") {
        expect(r.usage?.completion_tokens).toBe(40);
        expect(text).toMatch(/^\{("|\}$)/);
        continue;
      }
      const value = JSON.parse(text);
      expect(typeof value === "object" && value !== null && !Array.isArray(value)).toBe(true);
    }
  });

  it("an unsupported keyword is a 400 naming it", async () => {
    const schema = { type: "object", properties: { email: { type: "string", format: "email" } } };
    await expect(
      client.chat.completions.create({ model: "mmgpt-tiny", messages, response_format: format(schema) }),
    ).rejects.toMatchObject({
      status: 400,
      param: "response_format.json_schema.schema.properties.email.format",
      message: expect.stringContaining("`format`"),
    });
  });
});
