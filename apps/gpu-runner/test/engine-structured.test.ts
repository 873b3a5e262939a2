// Constrained decoding (response_format) through the engine on the tiny model: random schemas ×
// random untrained weights × random sampling settings, under continuous batching and the prefix
// cache — every reply that ends by itself parses and validates.
import { jsonSchemaIssues } from "@mmgpt/schema";
import type { GenerateRequest, GenerationParams, OutputFormat } from "@mmgpt/schema/internal";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { Engine } from "../src/engine/engine.js";
import { EngineError } from "../src/engine/errors.js";
import type { EngineEvent } from "../src/engine/job.js";
import { servingBuild } from "../src/server/load-model.js";
import { loadTokenizer } from "../src/tokenizer/index.js";
import { mulberry32 } from "../src/weights/prng.js";
import { randomSchema } from "./random-schema.js";
import { greedyParams, TEST_TENANT, tinyModel } from "./tiny-model.js";

const ajv = new Ajv({ strict: false });
const BUILD = servingBuild({ precision: "fp32", kvDtype: "fp16" });

async function engineFor(seed: number, maxBatch = 4): Promise<Engine> {
  const rt = await tinyModel(seed).load(BUILD);
  return new Engine(rt, await loadTokenizer(), {
    maxBatch,
    slots: maxBatch + 2,
    maxQueue: 64,
    maxContext: 512,
    imageFeatureBytes: 64 << 20,
    imagePixelBytes: 64 << 20,
  });
}

let n = 0;
function request(text: string, params: Partial<GenerationParams>): GenerateRequest {
  const turns = [{ role: "user" as const, text }];
  const all = { ...greedyParams(), ...params };
  return { request_id: `s${n++}`, model: "mmgpt-tiny", tenant: TEST_TENANT, turns, params: all, stream: true };
}

async function run(engine: Engine, req: GenerateRequest) {
  const job = await engine.start(req);
  const events: EngineEvent[] = [];
  for await (const e of engine.events(job)) events.push(e);
  const done = events.at(-1);
  if (done?.type !== "done") throw new Error("no done event");
  return done;
}

const schemaFormat = (schema: Record<string, unknown>): OutputFormat => ({ type: "json_schema", schema });

describe("constrained decoding in the engine", () => {
  it("property: random schemas × random weights × random sampling → every finished reply validates", async () => {
    let finished = 0;
    let total = 0;
    for (const weightSeed of [7, 23]) {
      const engine = await engineFor(weightSeed);
      const rnd = mulberry32(weightSeed * 1000 + 1);
      const cases = Array.from({ length: 16 }, (_, i) => {
        const schema = randomSchema(rnd);
        expect(jsonSchemaIssues(schema)).toEqual([]);
        const params: Partial<GenerationParams> = {
          max_tokens: 160,
          temperature: rnd() < 0.2 ? 0 : rnd() * 2,
          top_p: rnd() < 0.4 ? 1 : 0.1 + rnd() * 0.9,
          top_k: rnd() < 0.4 ? 0 : 1 + Math.floor(rnd() * 40),
          repetition_penalty: rnd() < 0.7 ? 1 : 1 + rnd(),
          seed: Math.floor(rnd() * 2 ** 40),
          response_format: schemaFormat(schema),
        };
        // Some share a prompt, so later ones start from the prefix cache.
        return { schema, req: request(`Answer in JSON (${i % 3}).`, params) };
      });
      // All at once: more requests than rows, so they join and leave a running batch.
      const results = await Promise.all(cases.map((c) => run(engine, c.req)));
      results.forEach((done, i) => {
        const { schema, req } = cases[i];
        total++;
        const context = `weights ${weightSeed}, case ${i}: ${JSON.stringify(schema)} ${JSON.stringify(req.params)} → ${JSON.stringify(done.text)}`;
        if (done.finish_reason === "length") {
          expect(done.usage.completion_tokens, context).toBe(req.params.max_tokens);
          return;
        }
        finished++;
        expect(ajv.validate(schema, JSON.parse(done.text)), `${context}: ${ajv.errorsText()}`).toBe(true);
      });
      expect(engine.stats.reusedTokens).toBeGreaterThan(0);
    }
    // Not vacuous: most random documents end within max_tokens.
    expect(finished, `${finished} of ${total} finished`).toBeGreaterThan(total * 0.6);
    console.log(`constrained property: ${finished} of ${total} replies finished by themselves`);
  });

  it("a constrained row does not change an unconstrained one sharing its batch", async () => {
    const engine = await engineFor(7);
    const free = request("Describe the weather.", { max_tokens: 24 });
    const alone = await run(engine, free);
    const schema = {
      type: "object",
      properties: { ok: { type: "boolean" } },
      required: ["ok"],
      additionalProperties: false,
    };
    const [mixed, constrained] = await Promise.all([
      run(engine, { ...free, request_id: "mixed" }),
      run(engine, request("Describe the weather.", { max_tokens: 24, response_format: schemaFormat(schema) })),
    ]);
    expect(mixed.text).toBe(alone.text);
    expect(JSON.parse(constrained.text)).toEqual({ ok: expect.any(Boolean) });
    expect(constrained.finish_reason).toBe("stop");
  });

  it("greedy json_object replies are objects; a second identical request hits the grammar cache", async () => {
    const engine = await engineFor(23);
    const req = () => request("Give me an object.", { max_tokens: 200, response_format: { type: "json_object" } });
    const first = await run(engine, req());
    const second = await run(engine, req());
    expect(second.text).toBe(first.text);
    if (first.finish_reason === "stop") expect(JSON.parse(first.text)).toBeTypeOf("object");
    expect(second.usage.cached_tokens).toBeGreaterThan(0);
    const cache = await engine.grammars();
    expect(cache.hits).toBeGreaterThanOrEqual(1);
  });

  it("n choices each follow the grammar on their own (a matcher per choice), with logprobs", async () => {
    const engine = await engineFor(23);
    const schema = {
      type: "object",
      properties: { word: { type: "string", maxLength: 6 }, n: { type: "integer" } },
      required: ["word", "n"],
      additionalProperties: false,
    };
    const params = {
      max_tokens: 80,
      temperature: 1.5,
      seed: 3,
      n: 3,
      logprobs: 2,
      response_format: schemaFormat(schema),
    };
    const done = await run(engine, { ...request("Pick.", params), stream: false });
    const choices = done.choices ?? [];
    expect(choices).toHaveLength(3);
    expect(new Set(choices.map((c) => c.text)).size).toBeGreaterThan(1);
    for (const c of choices) {
      if (c.finish_reason === "length") continue;
      expect(ajv.validate(schema, JSON.parse(c.text)), c.text).toBe(true);
    }
    expect(choices.some((c) => c.finish_reason === "stop")).toBe(true);
    // Logprobs are read after the mask: each chosen token has a finite log-probability among the
    // allowed ones, and so do its alternatives (a disallowed one would be −∞).
    for (const c of choices) {
      expect(c.logprobs?.length).toBeGreaterThan(0);
      for (const entry of c.logprobs ?? []) {
        expect(entry.logprob).toBeGreaterThan(-Infinity);
        for (const alt of entry.top_logprobs) expect(alt.logprob).toBeGreaterThan(-Infinity);
      }
    }
  });

  it("max_tokens cuts a document: finish_reason length", async () => {
    const engine = await engineFor(7);
    const schema = { type: "array", items: { type: "string", minLength: 5 }, minItems: 6 };
    const done = await run(engine, request("List.", { max_tokens: 5, response_format: schemaFormat(schema) }));
    expect(done.finish_reason).toBe("length");
    expect(done.usage.completion_tokens).toBe(5);
    expect(() => JSON.parse(done.text)).toThrow();
  });

  it("refuses a schema no document satisfies before queueing it", async () => {
    const engine = await engineFor(7);
    const schema = { $ref: "#/$defs/a", $defs: { a: { $ref: "#/$defs/b" }, b: { $ref: "#/$defs/a" } } };
    const start = engine.start(request("x", { response_format: schemaFormat(schema) }));
    await expect(start).rejects.toMatchObject({ code: "invalid_request", message: /no JSON document/ });
    expect(engine.busy).toBe(0);
  });

  it("refuses beam search with a response_format", async () => {
    const engine = await engineFor(7);
    const req = request("x", { num_beams: 2, response_format: { type: "json_object" } });
    await expect(engine.start(req)).rejects.toBeInstanceOf(EngineError);
    expect(() => engine.submit(req)).toThrow(/token constraint/);
  });
});
