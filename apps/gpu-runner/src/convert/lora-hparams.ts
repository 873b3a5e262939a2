// LoRA r and alpha as the adapter was trained: read from the checkpoint's `tuning_config`
// (a dict, or MultiModal-GPT's mmengine Config kept as inert data), `lora_r`/`lora_alpha` or
// peft's `r`/`lora_alpha`/`alpha`; the model config is the fallback, and says so.
import type { LoraConfig } from "../model/config.js";
import { PickledObject } from "./torch-pickle.js";

export interface LoraHparams {
  r: number;
  alpha: number;
  /** Where the values came from, for the summary. */
  from: string;
}

const R_KEYS = ["lora_r", "r"];
const ALPHA_KEYS = ["lora_alpha", "alpha"];
/** Config trees are shallow; the bound only stops pathological self-referencing pickles. */
const MAX_DEPTH = 8;

export function loraHparams(root: unknown, fallback: LoraConfig | null): LoraHparams | null {
  const tuning = root instanceof Map ? root.get("tuning_config") : undefined;
  const found = tuning === undefined ? {} : findNumbers(tuning, 0);
  const r = firstOf(found, R_KEYS);
  const alpha = firstOf(found, ALPHA_KEYS);
  if (r !== undefined && alpha !== undefined) return { r, alpha, from: "the checkpoint's tuning_config" };
  if (!fallback) return null;
  return {
    r: r ?? fallback.r,
    alpha: alpha ?? fallback.alpha,
    from:
      r === undefined && alpha === undefined ? "the model config (no tuning_config)" : "tuning_config + model config",
  };
}

function firstOf(found: Record<string, number>, keys: string[]): number | undefined {
  for (const k of keys) if (found[k] !== undefined) return found[k];
  return undefined;
}

/** Every numeric value under one of the keys of interest, the shallowest winning. */
function findNumbers(v: unknown, depth: number, out: Record<string, number> = {}): Record<string, number> {
  if (depth > MAX_DEPTH) return out;
  const visit = (entries: Iterable<[unknown, unknown]>) => {
    const nested: unknown[] = [];
    for (const [k, x] of entries) {
      const key = String(k);
      if ([...R_KEYS, ...ALPHA_KEYS].includes(key) && typeof x === "number" && out[key] === undefined) out[key] = x;
      else nested.push(x);
    }
    for (const x of nested) findNumbers(x, depth + 1, out);
  };
  if (v instanceof Map) visit(v);
  else if (v instanceof PickledObject) {
    visit(v.items);
    findNumbers(v.state, depth + 1, out);
  } else if (Array.isArray(v)) for (const x of v) findNumbers(x, depth + 1, out);
  return out;
}
