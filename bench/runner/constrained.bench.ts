// Constrained-decoding benchmark (prints figures; not a test): what `response_format`
// json_schema costs per generated token, measured side by side in one run.
//   a. the grammar work alone, on the LLaMA vocab (32,003 ids) with random logits: per token,
//      the sampler with the allowed-token mask + the mask's computation + the matcher's advance,
//      vs the sampler alone (alternating rounds, medians) — no model involved.
//   b. the engine on a mid-size model (MMGPT_MID, the runner bench's "mid"): ms per generated
//      token of a constrained request vs the same request unconstrained, sampled (temperature 1),
//      in alternating rounds; goal: ≤ 1.10× (the overhead ≤ 10 % of a decode step).
//      Also greedy: unconstrained greedy takes the graph's argmax (no logits leave the graph),
//      a constrained one must read the logits, so that ratio includes the logits transfer.
//   c. compile time of the bench's schema and of the costliest one the subset accepts (its whole
//      string-bound budget, MAX_STRING_BOUNDS, in one string): the stall a new schema causes.
//   npm run constrained -w @mmgpt/bench -- [--precision int4|fp32] [--threads 2] [--tokens 48] [--out f.json]
// Writes bench/results/constrained.json (or --out).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { MAX_STRING_BOUNDS } from "@mmgpt/schema";
import type { GenerateRequest, GenerationParams, OutputFormat } from "@mmgpt/schema/internal";
import { Engine } from "../../apps/gpu-runner/src/engine/engine.js";
import { GrammarCache } from "../../apps/gpu-runner/src/engine/grammar/grammar-cache.js";
import { createSampler } from "../../apps/gpu-runner/src/engine/sampling/sampler.js";
import { bannedIdsOf } from "../../apps/gpu-runner/src/engine/stop/finish.js";
import { MMGPT_MID } from "../../apps/gpu-runner/src/model/bench-configs.js";
import { buildModelGraphs } from "../../apps/gpu-runner/src/model/build.js";
import { ModelRuntime } from "../../apps/gpu-runner/src/model/runtime.js";
import { servingBuild } from "../../apps/gpu-runner/src/server/load-model.js";
import { loadTokenizer } from "../../apps/gpu-runner/src/tokenizer/index.js";
import { generateTinyWeights } from "../../apps/gpu-runner/src/weights/generate-tiny.js";
import { createRng } from "../../apps/gpu-runner/src/weights/prng.js";
import { fixed as f, goal, newResult, writeResult } from "../lib/results.js";
import { median, medianRatio } from "../lib/stats.js";

const { values } = parseArgs({
  options: {
    precision: { type: "string", default: "int4" },
    threads: { type: "string", default: "2" },
    tokens: { type: "string", default: "48" },
    rounds: { type: "string", default: "5" },
    out: { type: "string" },
  },
});
const TOKENS = Number(values.tokens);
const ROUNDS = Number(values.rounds);

/** Never complete within TOKENS: every step is a real grammar step, none ends the reply early. */
const SCHEMA = {
  type: "object",
  properties: {
    name: { type: "string", maxLength: 24 },
    tags: { type: "array", items: { type: "string", maxLength: 8 }, minItems: 400 },
  },
  required: ["name", "tags"],
  additionalProperties: false,
};
const FORMAT: OutputFormat = { type: "json_schema", schema: SCHEMA };

const result = newResult(
  "constrained",
  "Constrained decoding (response_format)",
  `a: ${ROUNDS} alternating rounds of ${TOKENS * 4} tokens on random logits over the LLaMA vocab; per token, sampler (temperature 1) + mask + advance vs the sampler alone. b: ${MMGPT_MID.name} (${values.precision}, ${values.threads} threads, fp16 KV) in-process engine, ${ROUNDS} alternating rounds of one ${TOKENS}-token request each way (same prompt, prefix cached); ms per generated token, medians of the rounds' ratios. The schema (an object with a bounded string and ≥ 400 bounded strings) cannot complete in ${TOKENS} tokens, so every step is a grammar step.`,
);

// a. The grammar work alone.
const tokenizer = await loadTokenizer();
const grammars = await GrammarCache.create(tokenizer);
async function compileMs(format: OutputFormat): Promise<number> {
  const t0 = performance.now();
  await grammars.compile(format);
  return performance.now() - t0;
}
const compileBench = await compileMs(FORMAT);
const WORST: OutputFormat = {
  type: "json_schema",
  schema: { type: "object", properties: { s: { type: "string", maxLength: MAX_STRING_BOUNDS } }, required: ["s"] },
};
const compileWorst = await compileMs(WORST);
const banned = bannedIdsOf(tokenizer.special);
const rng = createRng(1);
const rows = Array.from({ length: 16 }, () => rng.fillNormal(new Float32Array(tokenizer.vocabSize), 3));

async function samplerOnly(n: number): Promise<number> {
  const sampler = createSampler({ temperature: 1, top_k: 0, top_p: 1, repetition_penalty: 1, seed: 1, banned });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sampler.next(rows[i % rows.length], []);
  return (performance.now() - t0) / n;
}

async function constrained(n: number): Promise<{ total: number; mask: number }> {
  const sampler = createSampler({ temperature: 1, top_k: 0, top_p: 1, repetition_penalty: 1, seed: 1, banned });
  const c = await grammars.constrain(FORMAT);
  let maskMs = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const m0 = performance.now();
    await c.refresh();
    maskMs += performance.now() - m0;
    c.accept(sampler.next(rows[i % rows.length], [], c.allowed));
  }
  const total = (performance.now() - t0) / n;
  c.dispose();
  return { total, mask: maskMs / n };
}

const plainA: number[] = [];
const maskedA: number[] = [];
const maskOnly: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  plainA.push(await samplerOnly(TOKENS * 4));
  const m = await constrained(TOKENS * 4);
  maskedA.push(m.total);
  maskOnly.push(m.mask);
}
const addedMs = median(maskedA) - median(plainA);
console.log(
  `a. sampler ${f(median(plainA), 3)} ms/token; with the grammar ${f(median(maskedA), 3)} ms/token (mask ${f(median(maskOnly), 3)} ms); compile ${f(compileBench, 1)} ms, costliest accepted schema ${f(compileWorst, 1)} ms`,
);

// b. The engine on the mid-size model.
const dir = mkdtempSync(join(tmpdir(), "mmgpt-bench-constrained-"));
generateTinyWeights(MMGPT_MID, dir, { seed: 1, maxParams: 500_000_000 });
const build = servingBuild({ precision: values.precision as "int4" | "fp32", kvDtype: "fp16" });
buildModelGraphs(MMGPT_MID, dir, build);
const rt = await ModelRuntime.load(MMGPT_MID, dir, build, { provider: "cpu", threads: Number(values.threads) });
const engine = new Engine(rt, tokenizer, {
  maxBatch: 2,
  slots: 4,
  maxQueue: 8,
  maxContext: 512,
  imageFeatureBytes: 64 << 20,
  imagePixelBytes: 64 << 20,
});

let n = 0;
async function msPerToken(params: Partial<GenerationParams>): Promise<number> {
  const req: GenerateRequest = {
    request_id: `b${n++}`,
    model: MMGPT_MID.name,
    tenant: "bench-tenant-0123456789",
    turns: [{ role: "user", text: "List as many tags as you can." }],
    params: {
      max_tokens: TOKENS,
      temperature: 1,
      top_p: 1,
      top_k: 0,
      num_beams: 1,
      repetition_penalty: 1,
      stop: [],
      seed: n,
      ...params,
    },
    stream: true,
  };
  const job = await engine.start(req);
  let first = 0;
  let tokens = 0;
  for await (const e of engine.events(job)) {
    if (e.type === "delta" && !first) first = performance.now();
    if (e.type === "done") tokens = e.usage.completion_tokens;
  }
  // From the first token on: decode steps only (the prefill and the first mask are not counted).
  return (performance.now() - first) / Math.max(1, tokens - 1);
}

await msPerToken({}); // warm-up: the prompt's KV enters the prefix cache, ORT warms up
await msPerToken({ response_format: FORMAT });
const side = { free: [] as number[], json: [] as number[], freeGreedy: [] as number[], jsonGreedy: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  side.free.push(await msPerToken({}));
  side.json.push(await msPerToken({ response_format: FORMAT }));
  side.freeGreedy.push(await msPerToken({ temperature: 0 }));
  side.jsonGreedy.push(await msPerToken({ temperature: 0, response_format: FORMAT }));
}
await rt.release();
rmSync(dir, { recursive: true, force: true });

const sampled = medianRatio(side.json, side.free);
const greedy = medianRatio(side.jsonGreedy, side.freeGreedy);
console.log(
  `b. sampled: ${f(median(side.free))} → ${f(median(side.json))} ms/token (${f(sampled, 3)}×); greedy: ${f(median(side.freeGreedy))} → ${f(median(side.jsonGreedy))} ms/token (${f(greedy, 3)}×)`,
);

result.cases.push({
  name: `grammar work per token (LLaMA vocab, no model)`,
  figures: {
    "sampler alone": `${f(median(plainA), 3)} ms/token`,
    "sampler + mask + advance": `${f(median(maskedA), 3)} ms/token`,
    "of which the mask": `${f(median(maskOnly), 3)} ms/token`,
    "added per token": `${f(addedMs, 3)} ms`,
    "schema compile (first use)": `${f(compileBench, 1)} ms`,
    [`costliest accepted schema compile (maxLength ${MAX_STRING_BOUNDS})`]: `${f(compileWorst, 1)} ms`,
  },
  goals: [],
});
result.cases.push({
  name: `${MMGPT_MID.name} ${values.precision}, engine`,
  figures: {
    "sampled, unconstrained": `${f(median(side.free))} ms/token`,
    "sampled, json_schema": `${f(median(side.json))} ms/token`,
    "greedy, unconstrained (graph argmax)": `${f(median(side.freeGreedy))} ms/token`,
    "greedy, json_schema": `${f(median(side.jsonGreedy))} ms/token`,
    "greedy ratio": `${f(greedy, 3)}×`,
  },
  goals: [
    goal(
      "constrained vs unconstrained decode step (sampled)",
      sampled,
      "<=",
      1.1,
      "×",
      `${f(median(side.json))} vs ${f(median(side.free))} ms/token`,
    ),
  ],
});
writeResult(result, values.out);
