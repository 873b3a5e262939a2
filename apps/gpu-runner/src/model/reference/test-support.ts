// Test-only helpers: random weights for a tiny config, built here rather than with the official
// generator so the reference's tests depend on nothing but the spec (and a shared seeded PRNG).
import { baseTensorShapes, loraTensorShapes } from "../../weights/names.js";
import { mulberry32 } from "../../weights/prng.js";
import type { ModelConfig } from "../config.js";
import { MMGPT_TINY } from "../presets.js";
import type { RefWeights } from "./weights.js";

export { mulberry32 };

/** Standard normal samples (Box–Muller) from a uniform PRNG. */
export function normal(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** MMGPT_TINY with a 300-token vocabulary (special tokens moved to its top) so tests stay fast. */
export function tinyConfig(): ModelConfig {
  return {
    ...MMGPT_TINY,
    language: { ...MMGPT_TINY.language, vocabSize: 300 },
    tokens: { bos: 1, eos: 2, endOfChunk: 296, image: 297, pad: 298 },
  };
}

/** Draws a value for one element of tensor `name` with shape `shape`. */
function draw(name: string, shape: readonly number[], n: () => number, rand: () => number): number {
  if (name.endsWith("_gate")) return 0.4 + 0.5 * rand(); // non-zero so the gated blocks matter
  if (name.endsWith("lora_A.weight") || name.endsWith("lora_B.weight")) return n() / Math.sqrt(shape[1]);
  if (name.endsWith(".bias")) return 0.1 * n();
  if (name.endsWith("embed_tokens.weight") || name === "perceiver.latents") return n();
  if (name.endsWith("class_embedding") || name.endsWith("positional_embedding")) return 0.5 * n();
  if (shape.length === 1) return 1 + 0.1 * n(); // norm scales
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  return n() / Math.sqrt(fanIn);
}

/** Random float32 weights for every base tensor (and the LoRA tensors when `lora`), seeded. */
export function randomWeights(config: ModelConfig, seed: number, opts: { lora?: boolean } = {}): RefWeights {
  const rand = mulberry32(seed);
  const n = normal(rand);
  const shapes = new Map([...baseTensorShapes(config), ...(opts.lora ? loraTensorShapes(config) : [])]);
  const w: RefWeights = new Map();
  for (const [name, shape] of shapes) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = draw(name, shape, n, rand);
    w.set(name, { shape, data });
  }
  return w;
}

/** Standard normal Float64Array of the given length. */
export function randomArray(length: number, seed: number): Float64Array {
  const n = normal(mulberry32(seed));
  return Float64Array.from({ length }, n);
}

/** Random media latents for one image of `config`. */
export function randomLatents(config: ModelConfig, seed: number): Float64Array {
  return randomArray(config.perceiver.numLatents * config.crossAttention.mediaDim, seed);
}

/** Largest |a − b| over rows [from, to) of two [rows × cols] matrices. */
export function maxRowDiff(a: Float64Array, b: Float64Array, cols: number, from: number, to: number): number {
  let m = 0;
  for (let i = from * cols; i < to * cols; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Row r of a [rows × cols] matrix. */
export function row(x: Float64Array, cols: number, r: number): Float64Array {
  return x.slice(r * cols, (r + 1) * cols);
}

/** A copy of `w` with tensor `name` replaced by f(old data), optionally reshaped (`w` is untouched). */
export function withTensor(
  w: RefWeights,
  name: string,
  f: (old: Float64Array) => Float64Array,
  shape?: readonly number[],
): RefWeights {
  const t = w.get(name);
  if (!t) throw new Error(`test: no tensor ${name}`);
  const out = new Map(w);
  out.set(name, { shape: shape ?? t.shape, data: f(Float64Array.from(t.data)) });
  return out;
}
