// Seeded, deterministic random weights for a model config (mmgpt-tiny in tests): every
// tensor of names.ts under its exact name and shape, a LoRA adapter, and config.json.
// Init scales keep activations O(1) through every block so outputs are meaningful to compare.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ModelConfig } from "../model/config.js";
import type { FloatDtype } from "./dtype.js";
import { WeightsError } from "./errors.js";
import { baseTensorShapes, loraTensorShapes, type Shape } from "./names.js";
import { createRng, hashString } from "./prng.js";
import { type SafetensorsInput, writeSafetensors } from "./safetensors-writer.js";
import { countParams, numel } from "./shape.js";

export interface GenerateOptions {
  seed: number;
  /** Storage dtype of every tensor (default F32, so references compare exactly). */
  dtype?: FloatDtype;
  /** Refuse configs bigger than this (default 50M): a typo must not write 36 GB of noise. */
  maxParams?: number;
}

export interface GeneratedModel {
  modelPath: string;
  loraPath: string | null;
  configPath: string;
  baseParams: number;
  loraParams: number;
}

type Init = { kind: "normal"; std: number; mean: number } | { kind: "uniform"; lo: number; hi: number };

/** Init rule per tensor; chosen so residual streams, attention logits and LM logits stay O(1). */
export function initFor(name: string, shape: Shape, config: ModelConfig): Init {
  const normal = (std: number, mean = 0): Init => ({ kind: "normal", std, mean });
  // OpenFlamingo initialises both gates to 0, which makes tanh(gate) = 0 and hides the
  // cross-attention (and its LoRA) entirely; a random model must exercise that path, so
  // gates are drawn where tanh(gate) ≈ 0.46–0.76.
  if (name.endsWith("attn_gate") || name.endsWith("ff_gate")) return { kind: "uniform", lo: 0.5, hi: 1.0 };
  // LoRA: peft starts B at 0 (a no-op adapter). Both non-zero here: A·x ~ N(0, 1) per rank
  // and B [out, r] ~ N(0, 0.05²/r), so B·A·x is ~5% of W·x before the alpha/r scale. On
  // mmgpt-tiny (scale 2) that moves logits by ~15% of their spread: visible, never dominant.
  if (name.endsWith("lora_A.weight")) return normal(1 / Math.sqrt(shape[1]));
  if (name.endsWith("lora_B.weight")) return normal(0.05 / Math.sqrt(shape[1]));
  // All 1-D `.weight` tensors in names.ts are LayerNorm/RMSNorm scales.
  if (shape.length === 1 && name.endsWith(".weight")) return normal(0.1, 1);
  if (name.endsWith("bias")) return normal(0.02);
  if (name === "model.embed_tokens.weight" || name === "perceiver.latents" || name.endsWith("class_embedding")) {
    return normal(1);
  }
  if (name.endsWith("positional_embedding")) return normal(0.5);
  // Logits with std ≈ 2 over the vocab: a clear argmax margin, yet far from one-hot.
  if (name === "lm_head.weight") return normal(2 / Math.sqrt(config.language.hidden));
  // Linear [out, in] and conv [out, c, k, k]: N(0, 1/fan_in) preserves the input's scale.
  if (shape.length >= 2) return normal(1 / Math.sqrt(numel(shape.slice(1))));
  throw new WeightsError("bad_argument", `generate: no init rule for ${name} ${JSON.stringify(shape)}`);
}

/** Values of one tensor; depend only on (seed, name), not on the order tensors are made. */
export function generateTensor(name: string, shape: Shape, config: ModelConfig, seed: number): Float32Array {
  const rng = createRng(hashString(`${seed}:${name}`));
  const out = new Float32Array(numel(shape));
  const init = initFor(name, shape, config);
  if (init.kind === "normal") return rng.fillNormal(out, init.std, init.mean);
  for (let i = 0; i < out.length; i++) out[i] = rng.range(init.lo, init.hi);
  return out;
}

function inputs(shapes: Map<string, Shape>, config: ModelConfig, opts: GenerateOptions): SafetensorsInput[] {
  const dtype = opts.dtype ?? "F32";
  // Lazy producers: the writer streams one tensor at a time.
  return [...shapes].map(([name, shape]) => ({
    name,
    dtype,
    shape,
    data: () => generateTensor(name, shape, config, opts.seed),
  }));
}

/**
 * Writes `dir/weights/model.safetensors`, `dir/lora/adapter.safetensors` (when the config
 * has LoRA) and `dir/config.json`. Same config and seed → byte-identical files.
 */
export function generateTinyWeights(config: ModelConfig, dir: string, opts: GenerateOptions): GeneratedModel {
  if (!Number.isInteger(opts.seed) || opts.seed < 0 || opts.seed > 0xffffffff) {
    throw new WeightsError("bad_argument", `generate: seed must be a uint32, got ${opts.seed}`);
  }
  const base = baseTensorShapes(config);
  const lora = loraTensorShapes(config);
  const baseParams = countParams(base);
  const loraParams = countParams(lora);
  const max = opts.maxParams ?? 50_000_000;
  if (baseParams + loraParams > max) {
    throw new WeightsError("bad_argument", `generate: ${config.name} has ${baseParams + loraParams} params (> ${max})`);
  }

  mkdirSync(join(dir, "weights"), { recursive: true });
  const modelPath = join(dir, "weights", "model.safetensors");
  const meta = { format: "pt", generator: "mmgpt generate-tiny", model: config.name, seed: String(opts.seed) };
  writeSafetensors(modelPath, inputs(base, config, opts), meta);

  let loraPath: string | null = null;
  if (config.lora) {
    mkdirSync(join(dir, "lora"), { recursive: true });
    loraPath = join(dir, "lora", "adapter.safetensors");
    const loraMeta = { r: String(config.lora.r), alpha: String(config.lora.alpha), format: "peft" };
    writeSafetensors(loraPath, inputs(lora, config, opts), loraMeta);
  } else {
    // A stale adapter from an earlier config would otherwise be picked up by the loader.
    rmSync(join(dir, "lora", "adapter.safetensors"), { force: true });
  }

  const configPath = join(dir, "config.json");
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  return { modelPath, loraPath, configPath, baseParams, loraParams };
}
