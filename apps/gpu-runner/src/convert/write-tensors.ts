// Streams planned tensors into safetensors files: each tensor is read from its checkpoint
// only when the writer reaches it (peak memory ≈ one tensor), aliases are compared, LoRA is
// optionally merged, and base weights are split into shards of bounded size.
import { mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { DTYPE_BYTES, type FloatDtype } from "../weights/dtype.js";
import { loraScale, mergeLoraInPlace } from "../weights/lora.js";
import { type SafetensorsInput, writeSafetensors } from "../weights/safetensors.js";
import { numel } from "../weights/shape.js";
import { ConvertError } from "./errors.js";
import { writeManifest } from "./manifest.js";
import type { Plan, PlannedTensor } from "./plan.js";
import type { Progress } from "./progress.js";

/** Shards stay well below what every filesystem and mmap handles comfortably. */
const DEFAULT_SHARD_BYTES = 4e9;

export interface TensorWriter {
  plan: Plan;
  progress: Progress;
  onTensor?: (name: string, index: number) => void;
  /** Tensors produced so far. */
  index: number;
}

/** Reads the chosen tensor and checks every alias holds the same values. */
function readChecked(w: TensorWriter, p: PlannedTensor): Float32Array {
  w.onTensor?.(p.name, w.index);
  w.index++;
  const data = p.chosen.tensor.read();
  for (const a of p.aliases) {
    if (a.tensor.identity === p.chosen.tensor.identity) continue; // one storage: equal by construction
    const other = a.tensor.read();
    const i = other.findIndex((v, j) => !Object.is(v, data[j]));
    if (i >= 0) {
      throw new ConvertError(
        "alias_mismatch",
        `${p.name}: ${a.tensor.name} and ${p.chosen.tensor.name} (${a.source.path}) differ at element ${i} (${other[i]} vs ${data[i]})`,
      );
    }
  }
  return data;
}

export function writeBaseShards(
  w: TensorWriter,
  dir: string,
  dtype: FloatDtype,
  mergeLora: boolean,
  maxShardBytes = DEFAULT_SHARD_BYTES,
): string[] {
  const { plan } = w;
  const lora = new Map(plan.lora.map((p) => [p.name, p]));
  const targets = new Map(mergeLora ? plan.targets.map((t) => [t.base, t]) : []);
  const scale = plan.hparams ? loraScale(plan.hparams.alpha, plan.hparams.r) : 1;
  const shards: SafetensorsInput[][] = [[]];
  let shardBytes = 0;
  for (const p of plan.base) {
    const bytes = numel(p.shape) * DTYPE_BYTES[dtype];
    if (shardBytes > 0 && shardBytes + bytes > maxShardBytes) {
      shards.push([]);
      shardBytes = 0;
    }
    shardBytes += bytes;
    const t = targets.get(p.name);
    shards[shards.length - 1].push({
      name: p.name,
      dtype,
      shape: p.shape,
      data: () => {
        const data = readChecked(w, p);
        if (t) {
          const a = readChecked(w, lora.get(t.a)!);
          const b = readChecked(w, lora.get(t.b)!);
          mergeLoraInPlace(data, a, b, t.out, t.in, plan.hparams!.r, scale);
        }
        w.progress.add(bytes, p.name);
        return data;
      },
    });
  }
  mkdirSync(dir, { recursive: true });
  const n = String(shards.length).padStart(5, "0");
  const meta = { format: "pt", converter: "mmgpt convert", model: plan.config.name };
  return shards.map((inputs, i) => {
    const name = `model-${String(i + 1).padStart(5, "0")}-of-${n}.safetensors`;
    writeSafetensors(join(dir, name), inputs, meta);
    return `${basename(dir)}/${name}`;
  });
}

/** `adapter.safetensors` (peft names, f32, metadata r/alpha) + its own manifest.json. */
export function writeAdapter(w: TensorWriter, dir: string, source: string): string[] {
  const h = w.plan.hparams;
  if (!h) throw new ConvertError("bad_argument", `${source}: no LoRA hyperparameters`);
  const inputs: SafetensorsInput[] = w.plan.lora.map((p) => ({
    name: p.name,
    dtype: "F32",
    shape: p.shape,
    data: () => {
      const data = readChecked(w, p);
      w.progress.add(data.byteLength, p.name);
      return data;
    },
  }));
  mkdirSync(dir, { recursive: true });
  const meta = { r: String(h.r), alpha: String(h.alpha), format: "peft", source: basename(source) };
  writeSafetensors(join(dir, "adapter.safetensors"), inputs, meta);
  writeManifest(dir);
  return ["adapter.safetensors", "manifest.json"];
}
