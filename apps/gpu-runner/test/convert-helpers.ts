// Shared by the convert tests: the committed fixture sets, the weights they must convert to
// (the seeded truth of truth.ts rounded to each file's dtype), and one forward pass through
// the runner's own graph builder and ONNX runtime.
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Component } from "../src/convert/names.js";
import { SequenceState } from "../src/engine/sequence-state.js";
import { type BuildOptions, buildModelGraphs } from "../src/model/build.js";
import type { ModelConfig } from "../src/model/config.js";
import { ModelRuntime } from "../src/model/runtime.js";
import { bf16ToF32, type FloatDtype, f16ToF32, f32ToBf16, f32ToF16 } from "../src/weights/dtype.js";
import { generateTinyWeights } from "../src/weights/generate-tiny.js";
import { writeSafetensors } from "../src/weights/safetensors.js";
import { WeightStore } from "../src/weights/store.js";
import { FIXTURE_SETS, FIXTURES_DIR } from "./fixtures/checkpoints/truth.js";
import { testPixels } from "./tiny-model.js";

export interface FixtureSet {
  name: "tiny" | "small";
  config: ModelConfig;
  seed: number;
  files: Record<Component, string>;
  /** Storage dtype of each checkpoint of the set. */
  dtypes: Record<Component, FloatDtype>;
}

const fx = (p: string) => join(FIXTURES_DIR, p);

export const SETS: FixtureSet[] = [
  {
    name: "tiny",
    ...FIXTURE_SETS.tiny,
    files: {
      llama: fx("tiny/llama-bin-f16"),
      openflamingo: fx("tiny/openflamingo-bf16.pt"),
      clip: fx("tiny/open_clip-f32.pt"),
      lora: fx("tiny/mmgpt-lora-f32.pt"),
    },
    dtypes: { llama: "F16", openflamingo: "BF16", clip: "F32", lora: "F32" },
  },
  {
    name: "small",
    ...FIXTURE_SETS.small,
    files: {
      llama: fx("small/llama-safetensors-f32"),
      openflamingo: fx("small/openflamingo-f16.pt"),
      clip: fx("small/open_clip-f16.bin"),
      lora: fx("small/mmgpt-lora-bf16.pt"),
    },
    dtypes: { llama: "F32", openflamingo: "F16", clip: "F16", lora: "BF16" },
  },
];

export const SMALL = SETS[1];
export const fixture = fx;

export function tempDir(prefix = "mmgpt-convert-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Which checkpoint the converter takes a canonical tensor from. */
export function componentOf(name: string): Component {
  if (name.includes(".lora_")) return "lora";
  if (name.startsWith("vision_encoder.")) return "clip";
  if (name.startsWith("perceiver.") || name.startsWith("lang_encoder.")) return "openflamingo";
  if (name === "model.embed_tokens.weight" || name === "lm_head.weight") return "openflamingo";
  return "llama";
}

/** Exactly what storing in `dtype` and widening back gives (round to nearest even). */
export function roundTo(x: Float32Array, dtype: FloatDtype): Float32Array {
  if (dtype === "F32") return x;
  return dtype === "F16" ? f16ToF32(f32ToF16(x)) : bf16ToF32(f32ToBf16(x));
}

/** A runner model directory holding the set's weights as its checkpoints store them, in f32. */
export function expectedModel(set: FixtureSet): string {
  const dir = tempDir("mmgpt-expected-");
  generateTinyWeights(set.config, dir, { seed: set.seed });
  for (const sub of ["weights/model.safetensors", "lora/adapter.safetensors"]) {
    const store = WeightStore.open(join(dir, sub));
    const meta = store.files[0].metadata;
    const tensors = store.names().map((name) => ({
      name,
      dtype: "F32" as const,
      shape: store.info(name).shape,
      data: roundTo(store.read(name), set.dtypes[componentOf(name)]),
    }));
    store.close();
    writeSafetensors(join(dir, sub), tensors, meta);
  }
  return dir;
}

/** Bitwise equality (vitest's deep equality is far too slow for millions of floats). */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  return (
    a.length === b.length &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
  );
}

export function copyTree(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}

export function writeJson(path: string, v: unknown): void {
  writeFileSync(path, `${JSON.stringify(v, null, 2)}\n`);
}

const BUILD: BuildOptions = { precision: "fp32", fused: true };

/** Logits of one prompt with one image, through the graphs the runner builds from `dir`. */
export async function forwardLogits(dir: string, config: ModelConfig): Promise<Float32Array> {
  buildModelGraphs(config, dir, BUILD);
  const rt = await ModelRuntime.load(config, dir, BUILD, { provider: "cpu", threads: 1 });
  try {
    const latents = await rt.imageLatents(testPixels(config, 1), 1);
    const [kv] = await rt.imageKv(latents, 1);
    const ids = [1, 13, 200, 29, config.tokens.image, 13, 87, 150, 42, 2];
    return (await new SequenceState(rt, 64).extend(ids, [kv], ids.length)).logits;
  } finally {
    await rt.release();
  }
}
