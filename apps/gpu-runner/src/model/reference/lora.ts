// The language model's linear layers, optionally with their LoRA adapters applied unmerged,
// y = W·x + (alpha/r)·B·(A·x), as peft computes them (dropout 0, no bias). Kept unmerged on
// purpose: a runtime that merges W + scale·B·A is then checked against a different path.
import { type LoraTarget, loraTargets } from "../../weights/names.js";
import type { ModelConfig } from "../config.js";
import { addScaled, linear } from "./linalg.js";
import type { Params } from "./weights.js";

/** Applies the base weight `name` ([out × in], no bias) to x [rows × in], plus its adapter if on. */
export type Project = (name: string, x: Float64Array, rows: number) => Float64Array;

export function makeProject(config: ModelConfig, params: Params, lora: boolean): Project {
  const targets = new Map<string, LoraTarget>();
  for (const t of loraTargets(config)) targets.set(t.base, t);
  if (lora) {
    if (!config.lora) throw new Error("reference: lora requested but the config has no adapter");
    const missing = [...targets.values()].find((t) => !params.has(t.a) || !params.has(t.b));
    if (missing) throw new Error(`reference: lora requested but ${missing.a} / ${missing.b} is missing`);
  }
  const scale = config.lora ? config.lora.alpha / config.lora.r : 0;

  return function project(name, x, rows) {
    const w = params.get(name);
    const inDim = x.length / rows;
    const out = w.length / inDim;
    const y = linear(x, rows, w, out, inDim);
    const t = targets.get(name);
    if (lora && t && config.lora) {
      const r = config.lora.r;
      const ax = linear(x, rows, params.get(t.a), r, inDim);
      addScaled(y, linear(ax, rows, params.get(t.b), out, r), scale);
    }
    return y;
  };
}
