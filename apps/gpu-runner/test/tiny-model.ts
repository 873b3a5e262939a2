// Test fixture: the seeded mmgpt-tiny model generated into a temp dir, its graphs built
// through the real loader (one variant at a time, once per process), and the same weights
// as a map for the float64 reference.

import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GenerationParams } from "@mmgpt/schema/internal";
import { type BuildOptions, buildModelGraphs } from "../src/model/build.js";
import type { ModelConfig } from "../src/model/config.js";
import { MMGPT_TINY } from "../src/model/presets.js";
import type { RefWeights } from "../src/model/reference/index.js";
import { ModelRuntime } from "../src/model/runtime.js";
import type { FloatDtype } from "../src/weights/dtype.js";
import { generateTinyWeights } from "../src/weights/generate-tiny.js";
import { WeightStore } from "../src/weights/store.js";

export interface TinyModel {
  dir: string;
  config: ModelConfig;
  load(build: BuildOptions): Promise<ModelRuntime>;
  refWeights(): RefWeights;
}

const models = new Map<string, TinyModel>();

export function tinyModel(seed = 7, config: ModelConfig = MMGPT_TINY, dtype: FloatDtype = "F32"): TinyModel {
  const key = `${seed}:${dtype}:${JSON.stringify(config)}`;
  const hit = models.get(key);
  if (hit) return hit;
  const dir = mkdtempSync(join(tmpdir(), "mmgpt-tiny-"));
  generateTinyWeights(config, dir, { seed, dtype });
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

/** Greedy decoding parameters of the internal protocol, with overrides. */
export function greedyParams(over: Partial<GenerationParams> = {}): GenerationParams {
  return { max_tokens: 12, temperature: 0, top_p: 1, top_k: 0, num_beams: 1, repetition_penalty: 1, stop: [], ...over };
}
