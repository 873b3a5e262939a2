// Test fixture: the seeded mmgpt-tiny model generated into a temp dir, its graphs built
// through the real loader (one variant at a time, once per process), and the same weights
// as a map for the float64 reference.

import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GenerationParams } from "@mmgpt/schema/internal";
import { type BuildOptions, buildModelGraphs, mergedLoraWeights } from "../src/model/build.js";
import type { ModelConfig } from "../src/model/config.js";
import { dequantizeInt4, quantizeInt4 } from "../src/model/graphs/quantize.js";
import { MMGPT_TINY } from "../src/model/presets.js";
import type { RefWeights } from "../src/model/reference/index.js";
import { ModelRuntime } from "../src/model/runtime.js";
import type { FloatDtype } from "../src/weights/dtype.js";
import { generateTinyWeights } from "../src/weights/generate-tiny.js";
import { writeSafetensors } from "../src/weights/safetensors-writer.js";
import { WeightStore } from "../src/weights/store.js";

export interface TinyModel {
  dir: string;
  config: ModelConfig;
  load(build: BuildOptions): Promise<ModelRuntime>;
  refWeights(): RefWeights;
}

/** A change to the generated base weights (tests that need a logit forced), named for the cache. */
export interface WeightEdit {
  key: string;
  apply(weights: Map<string, Float32Array>): void;
}

const models = new Map<string, TinyModel>();

export function tinyModel(
  seed = 7,
  config: ModelConfig = MMGPT_TINY,
  dtype: FloatDtype = "F32",
  edit?: WeightEdit,
): TinyModel {
  const key = `${seed}:${dtype}:${JSON.stringify(config)}:${edit?.key ?? ""}`;
  const hit = models.get(key);
  if (hit) return hit;
  const dir = mkdtempSync(join(tmpdir(), "mmgpt-tiny-"));
  generateTinyWeights(config, dir, { seed, dtype });
  if (edit) editWeights(join(dir, "weights"), edit);
  const built = new Map<string, Promise<ModelRuntime>>();
  let ref: RefWeights | null = null;
  const model: TinyModel = {
    dir,
    config,
    load(build) {
      const k = JSON.stringify(build);
      let rt = built.get(k);
      if (!rt) {
        buildModelGraphs(config, dir, build);
        rt = ModelRuntime.load(config, dir, build, { provider: "cpu", threads: 1 });
        built.set(k, rt);
      }
      return rt;
    },
    refWeights() {
      if (ref) return ref;
      ref = new Map();
      for (const sub of ["weights", "lora"]) {
        const store = WeightStore.open(join(dir, sub));
        for (const name of store.names()) ref.set(name, { shape: store.info(name).shape, data: store.read(name) });
        store.close();
      }
      return ref;
    },
  };
  models.set(key, model);
  return model;
}

function editWeights(dir: string, edit: WeightEdit): void {
  const store = WeightStore.open(dir);
  const weights = new Map(store.names().map((n) => [n, store.read(n)] as const));
  const shapes = new Map(store.names().map((n) => [n, store.info(n).shape] as const));
  const dtypes = new Map(store.names().map((n) => [n, store.info(n).dtype as FloatDtype] as const));
  store.close();
  edit.apply(weights);
  const tensors = [...weights].map(([name, data]) => ({
    name,
    data,
    shape: shapes.get(name)!,
    dtype: dtypes.get(name)!,
  }));
  writeSafetensors(join(dir, "model.safetensors"), tensors);
}

/** Deterministic pseudo-image: normalized CHW pixels in roughly CLIP's range. */
export function testPixels(config: ModelConfig, seed: number): Float32Array {
  const s = config.vision.imageSize;
  const px = new Float32Array(3 * s * s);
  let x = seed * 2654435761;
  for (let i = 0; i < px.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    px[i] = (x / 2 ** 32) * 4 - 2;
  }
  return px;
}

/** A deterministic preprocessed image as the edge sends it (224x224 RGB bytes), with its hash. */
export function rgbImage(seed: number): { hash: string; bytes: Uint8Array } {
  const bytes = new Uint8Array(224 * 224 * 3);
  let x = seed;
  for (let i = 0; i < bytes.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return { hash: createHash("sha256").update(bytes).digest("hex"), bytes };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The tenant key of the tests' requests (any opaque key the protocol accepts). */
export const TEST_TENANT = "tenant-test-0123456789";

/** Greedy decoding parameters of the internal protocol, with overrides. */
export function greedyParams(over: Partial<GenerationParams> = {}): GenerationParams {
  return { max_tokens: 12, temperature: 0, top_p: 1, top_k: 0, num_beams: 1, repetition_penalty: 1, stop: [], ...over };
}

/** Relative L2 error of `a` against `b`. */
export function rel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let j = 0; j < a.length; j++) {
    num += (a[j] - b[j]) ** 2;
    den += b[j] ** 2;
  }
  return Math.sqrt(num / den);
}

/** 2-D tensors that are not Linear weights (gathered or added, never quantized). */
const NOT_LINEAR = new Set([
  "model.embed_tokens.weight",
  "perceiver.latents",
  "vision_encoder.visual.positional_embedding",
]);

/**
 * Reference weights (run with `lora: false`) equal to what an int4 graph holds: LoRA merged,
 * then every linear weight quantized and dequantized. Only activation rounding (accuracy_level
 * 4 computes in int8) and, when served, the fp16 KV cache separate the graph from them.
 */
export function int4RefWeights(model: TinyModel): RefWeights {
  const merged = mergedLoraWeights(model.config, WeightStore.open(join(model.dir, "weights")), model.dir);
  const w = new Map(model.refWeights());
  for (const [name, t] of w) {
    if (t.shape.length !== 2 || NOT_LINEAR.has(name) || name.includes("lora_")) continue;
    const [n, k] = t.shape;
    const f32 = merged.get(name) ?? Float32Array.from(t.data);
    const q = quantizeInt4(f32, n, k);
    w.set(name, { shape: t.shape, data: dequantizeInt4(q.blob, q.scales, n, k) });
  }
  return w;
}
