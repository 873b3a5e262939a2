// Streams planned tensors into safetensors files chunk by chunk (peak memory ≈ one chunk,
// not one tensor): raw copies when the dtype is unchanged, otherwise widen → (merge LoRA
// rows) → round once. Aliases are compared chunk by chunk; base weights are sharded.
import { mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { DTYPE_BYTES, type FloatDtype } from "../weights/dtype.js";
import { loraScale, mergeLoraInPlace } from "../weights/lora.js";
import type { LoraTarget } from "../weights/names.js";
import { type StreamedTensor, writeSafetensorsStream } from "../weights/safetensors-writer.js";
import { numel } from "../weights/shape.js";
import { ConvertError } from "./errors.js";
import { writeManifest } from "./manifest.js";
import type { Plan, PlannedTensor } from "./plan.js";
import type { Progress } from "./progress.js";
import { narrow, readTensor, widen } from "./source.js";

/** Shards stay well below what every filesystem and mmap handles comfortably. */
const DEFAULT_SHARD_BYTES = 4e9;
/** Elements per chunk: 16 MiB of f32, large enough that I/O, not call overhead, dominates. */
const CHUNK_ELEMENTS = 4 << 20;

export interface TensorWriter {
  plan: Plan;
  progress: Progress;
  onTensor?: (name: string, index: number) => void;
  /** Tensors produced so far. */
  index: number;
}

interface Merge {
  target: LoraTarget;
  a: Float32Array;
  b: Float32Array;
  r: number;
  scale: number;
}

/** Streams `p` as `dtype`, optionally merging LoRA, checking aliases; emits output bytes. */
function streamTensor(
  w: TensorWriter,
  p: PlannedTensor,
  dtype: FloatDtype,
  emit: (b: Uint8Array) => void,
  merge?: () => Merge,
): void {
  w.onTensor?.(p.name, w.index);
  w.index++;
  const src = p.chosen.tensor;
  const m = merge?.();
  // Merging works on whole rows of W [out, in]: chunks are a whole number of rows.
  const row = p.shape.length > 1 ? numel(p.shape.slice(1)) : 1;
  const step = Math.max(1, Math.floor(CHUNK_ELEMENTS / row)) * row;
  const aliases = p.aliases
    .filter((a) => a.tensor.identity !== src.identity)
    .map((a) => ({ a, it: a.tensor.chunks(step)[Symbol.iterator]() }));
  const raw = !m && src.dtype === dtype;
  let element = 0;
  for (const chunk of src.chunks(step)) {
    for (const { a, it } of aliases) {
      const other = it.next().value as Uint8Array;
      const same =
        a.tensor.dtype === src.dtype
          ? Buffer.from(other).equals(Buffer.from(chunk))
          : sameValues(widen(other, a.tensor.dtype), widen(chunk, src.dtype));
      if (!same) {
        throw new ConvertError(
          "alias_mismatch",
          `${p.name}: ${a.tensor.name} and ${src.name} (${a.source.path}) hold different values near element ${element}`,
        );
      }
    }
    const n = chunk.length / DTYPE_BYTES[src.dtype as FloatDtype];
    if (raw) emit(chunk);
    else {
      // widen() returns a view for f32: copy before merging so the reader's buffer stays intact.
      const x = src.dtype === "F32" && m ? Float32Array.from(widen(chunk, "F32")) : widen(chunk, src.dtype);
      if (m) {
        const rows = n / m.target.in;
        const r0 = element / m.target.in;
        mergeLoraInPlace(x, m.a, m.b.subarray(r0 * m.r, (r0 + rows) * m.r), rows, m.target.in, m.r, m.scale);
      }
      emit(narrow(x, dtype));
    }
    element += n;
    w.progress.add(n * DTYPE_BYTES[dtype], p.name);
  }
}

/** A whole (small) LoRA tensor, its aliases checked as when it is streamed. */
function readLora(p: PlannedTensor): Float32Array {
  const data = readTensor(p.chosen.tensor);
  for (const a of p.aliases) {
    if (a.tensor.identity !== p.chosen.tensor.identity && !sameValues(readTensor(a.tensor), data)) {
      throw new ConvertError(
        "alias_mismatch",
        `${p.name}: ${a.tensor.name} and ${p.chosen.tensor.name} hold different values`,
      );
    }
  }
  return data;
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
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
  const shards: StreamedTensor[][] = [[]];
  let shardBytes = 0;
  for (const p of plan.base) {
    const bytes = numel(p.shape) * DTYPE_BYTES[dtype];
    if (shardBytes > 0 && shardBytes + bytes > maxShardBytes) {
      shards.push([]);
      shardBytes = 0;
    }
    shardBytes += bytes;
    const t = targets.get(p.name);
    const merge = t
      ? (): Merge => {
          const h = plan.hparams!;
          const a = readLora(lora.get(t.a)!);
          const b = readLora(lora.get(t.b)!);
          return { target: t, a, b, r: h.r, scale: loraScale(h.alpha, h.r) };
        }
      : undefined;
    shards[shards.length - 1].push({
      name: p.name,
      dtype,
      shape: p.shape,
      write: (emit) => streamTensor(w, p, dtype, emit, merge),
    });
  }
  mkdirSync(dir, { recursive: true });
  const n = String(shards.length).padStart(5, "0");
  const meta = { format: "pt", converter: "mmgpt convert", model: plan.config.name };
  return shards.map((tensors, i) => {
    const name = `model-${String(i + 1).padStart(5, "0")}-of-${n}.safetensors`;
    writeSafetensorsStream(join(dir, name), tensors, meta);
    return `${basename(dir)}/${name}`;
  });
}

/** `adapter.safetensors` (peft names, f32, metadata r/alpha) + its own manifest.json. */
export function writeAdapter(w: TensorWriter, dir: string, source: string): string[] {
  const h = w.plan.hparams;
  if (!h) throw new ConvertError("bad_argument", `${source}: no LoRA hyperparameters`);
  const tensors: StreamedTensor[] = w.plan.lora.map((p) => ({
    name: p.name,
    dtype: "F32",
    shape: p.shape,
    write: (emit) => streamTensor(w, p, "F32", emit),
  }));
  mkdirSync(dir, { recursive: true });
  const meta = { r: String(h.r), alpha: String(h.alpha), format: "peft", source: basename(source) };
  writeSafetensorsStream(join(dir, "adapter.safetensors"), tensors, meta);
  writeManifest(dir);
  return ["adapter.safetensors", "manifest.json"];
}
