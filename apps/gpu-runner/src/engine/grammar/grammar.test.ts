// Constrained decoding without the model: the real LLaMA vocab, the sampler and a grammar
// state, fed logits that push hard towards what the grammar must refuse.
import type { OutputFormat } from "@mmgpt/schema/internal";
import Ajv from "ajv";
import { beforeAll, describe, expect, it } from "vitest";
import { loadTokenizer, type Tokenizer } from "../../tokenizer/index.js";
import { mulberry32 } from "../../weights/prng.js";
import { createSampler } from "../sampling/sampler.js";
import { allows } from "../sampling/token-mask.js";
import { bannedIdsOf, endIdsOf } from "../stop/finish.js";
import { GrammarCache } from "./grammar-cache.js";

let tokenizer: Tokenizer;
let cache: GrammarCache;

beforeAll(async () => {
  tokenizer = await loadTokenizer();
  cache = await GrammarCache.create(tokenizer, 4);
});

const PERSON = {
  type: "object",
  properties: {
    name: { type: "string", minLength: 1, maxLength: 12 },
    age: { type: "integer" },
    tags: { type: "array", items: { enum: ["a", "b c", 'q"'] }, minItems: 1, maxItems: 3 },
    pet: {
      anyOf: [{ type: "null" }, { type: "object", properties: { legs: { type: "number" } }, required: ["legs"] }],
    },
  },
  required: ["name", "tags", "pet"],
  additionalProperties: false,
};

/** Decodes with the sampler under the grammar; `bias` is added to chosen ids' logits. */
async function generate(format: OutputFormat, seed: number, bias: (id: number) => number, maxTokens = 400) {
  const constraint = await cache.constrain(format);
  const rnd = mulberry32(seed);
  const temperature = rnd() * 2;
  const sampler = createSampler({
    temperature,
    top_k: rnd() < 0.5 ? 0 : 1 + Math.floor(rnd() * 50),
    top_p: rnd() < 0.5 ? 1 : 0.05 + rnd() * 0.95,
    repetition_penalty: 1,
    seed,
    banned: bannedIdsOf(tokenizer.special),
  });
  const ends = endIdsOf(tokenizer.special);
  const ids: number[] = [];
  const logits = new Float32Array(tokenizer.vocabSize);
  for (let step = 0; step < maxTokens; step++) {
    for (let i = 0; i < logits.length; i++) logits[i] = (rnd() - 0.5) * 8 + bias(i);
    await constraint.refresh();
    const complete = ends.some((e) => allows(constraint.allowed, e));
    const id = sampler.next(logits, [], constraint.allowed);
    constraint.accept(id);
    if (ends.includes(id)) {
      expect(complete).toBe(true);
      expect(constraint.terminated).toBe(true);
      constraint.dispose();
      return { text: tokenizer.decode(ids), ended: true };
    }
    ids.push(id);
  }
  constraint.dispose();
  return { text: tokenizer.decode(ids), ended: false };
}

describe("constrained decoding (grammar + sampler, real vocab)", () => {
  const ajv = new Ajv({ strict: false });

  it("ends only with a complete, valid document though EOS always has the highest logit", async () => {
    const eos = tokenizer.special.eos;
    for (let seed = 1; seed <= 6; seed++) {
      const { text, ended } = await generate({ type: "json_schema", schema: PERSON }, seed, (id) =>
        id === eos ? 50 : 0,
      );
      expect(ended).toBe(true);
      expect(ajv.validate(PERSON, JSON.parse(text)), `${text}: ${ajv.errorsText()}`).toBe(true);
    }
  });

  it("keeps special tokens out of strings, so string bounds hold in the decoded text", async () => {
    const special = new Set([
      tokenizer.special.image,
      tokenizer.special.unk,
      tokenizer.special.bos,
      tokenizer.special.pad,
    ]);
    const schema = { type: "string", minLength: 3, maxLength: 5 };
    for (let seed = 1; seed <= 6; seed++) {
      const { text, ended } = await generate({ type: "json_schema", schema }, seed, (id) => (special.has(id) ? 50 : 0));
      expect(ended).toBe(true);
      expect(ajv.validate(schema, JSON.parse(text)), text).toBe(true);
    }
  });

  it("keeps integers within their bounds, zod's .int() range included, though digits are pushed", async () => {
    const digits = new Set([..."0123456789-"].flatMap((c) => tokenizer.encode(c, { addDummyPrefix: false })));
    const S = Number.MAX_SAFE_INTEGER;
    const schemas = [
      { type: "integer", minimum: -S, maximum: S },
      { type: "integer", minimum: 3, exclusiveMaximum: 42 },
      { type: ["integer", "null"], exclusiveMinimum: -700, maximum: -2 },
    ];
    for (const schema of schemas) {
      for (let seed = 1; seed <= 4; seed++) {
        const { text, ended } = await generate({ type: "json_schema", schema }, seed, (id) => (digits.has(id) ? 8 : 0));
        expect(ended, text).toBe(true);
        expect(ajv.validate(schema, JSON.parse(text)), `${JSON.stringify(schema)}: ${text}`).toBe(true);
      }
    }
  });

  it("json_object: any object, whatever the sampling", async () => {
    // A push towards closing braces, so a random walk through nested values ends in budget.
    const close = new Set([...'"}]'].flatMap((c) => tokenizer.encode(c, { addDummyPrefix: false })));
    close.add(tokenizer.special.eos);
    for (let seed = 1; seed <= 4; seed++) {
      const { text, ended } = await generate({ type: "json_object" }, seed, (id) => (close.has(id) ? 12 : 0), 300);
      expect(ended, text).toBe(true);
      const value = JSON.parse(text);
      expect(typeof value === "object" && value !== null && !Array.isArray(value), text).toBe(true);
    }
  });

  it("caches compiled formats by content (LRU) and recompiles after eviction", async () => {
    const small = await GrammarCache.create(tokenizer, 2);
    const f = (n: number): OutputFormat => ({ type: "json_schema", schema: { enum: [n] } });
    const a = await small.compile(f(1));
    expect(await small.compile({ type: "json_schema", schema: { enum: [1] } })).toBe(a);
    await small.compile(f(2));
    await small.compile(f(1)); // 1 is now the most recently used
    await small.compile(f(3)); // evicts 2
    expect(small.size).toBe(2);
    expect({ hits: small.hits, misses: small.misses }).toEqual({ hits: 2, misses: 3 });
    await small.compile(f(2));
    expect(small.misses).toBe(4);
  });
});
