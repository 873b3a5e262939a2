// Opens whatever a user points at as one TensorSource: a torch zip (.pt/.bin), a
// safetensors file, or a Hugging Face directory (sharded with model.safetensors.index.json or
// pytorch_model.bin.index.json, or single-file). Shards must all exist and agree with the index.
import { closeSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DTYPE_BYTES } from "../weights/dtype.js";
import { openSafetensors } from "../weights/safetensors.js";
import { ConvertError } from "./errors.js";
import { openForRead, readFully } from "./io.js";
import type { SourceTensor, TensorSource } from "./source.js";
import { openTorchCheckpoint } from "./torch-checkpoint.js";

/** Directory layouts in the order Hugging Face itself prefers them (safetensors first). */
const HF_LAYOUTS = [
  "model.safetensors.index.json",
  "pytorch_model.bin.index.json",
  "model.safetensors",
  "pytorch_model.bin",
];

export function openCheckpointFile(path: string): TensorSource {
  if (!path.endsWith(".safetensors")) return openTorchCheckpoint(path);
  let st: ReturnType<typeof openSafetensors>;
  try {
    st = openSafetensors(path);
  } catch (e) {
    const err = e as { code?: string; message: string };
    const code = err.code === "not_found" || err.code === "truncated" ? err.code : "bad_argument";
    throw new ConvertError(code, err.message, { cause: e });
  }
  st.close(); // the header is all we need from it: ranges are read through our own fd
  const fd = openForRead(path, "checkpoint");
  const tensors = new Map<string, SourceTensor>();
  for (const [name, t] of st.tensors) {
    const el = DTYPE_BYTES[t.dtype];
    const numel = t.byteLength / el;
    tensors.set(name, {
      name,
      dtype: t.dtype,
      shape: t.shape,
      byteLength: t.byteLength,
      identity: `${path}:${t.byteOffset}:${t.shape}`,
      *chunks(maxElements) {
        const step = Math.max(1, Math.min(numel, Math.floor(maxElements)));
        const buf = new Uint8Array(step * el);
        for (let i = 0; i < numel; i += step) {
          const view = buf.subarray(0, Math.min(step, numel - i) * el);
          yield readFully(fd, view, t.byteOffset + i * el, path);
        }
      },
    });
  }
  return { path, tensors, close: () => closeSync(fd) };
}

/** A file, or a Hugging Face checkpoint directory. */
export function openCheckpoint(path: string): TensorSource {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new ConvertError("not_found", `${path}: no such checkpoint file or directory`, { cause: e });
  }
  if (!isDir) return openCheckpointFile(path);
  const layout = HF_LAYOUTS.find((f) => existsSync(join(path, f)));
  if (!layout) {
    throw new ConvertError("not_found", `${path}: no Hugging Face weights here (looked for ${HF_LAYOUTS.join(", ")})`);
  }
  if (!layout.endsWith(".index.json")) return openCheckpointFile(join(path, layout));
  return openSharded(path, join(path, layout));
}

function openSharded(dir: string, indexPath: string): TensorSource {
  let weightMap: Record<string, string>;
  try {
    weightMap = JSON.parse(readFileSync(indexPath, "utf8")).weight_map;
  } catch (e) {
    throw new ConvertError("bad_argument", `${indexPath}: unreadable index (${(e as Error).message})`, { cause: e });
  }
  if (!weightMap || typeof weightMap !== "object") {
    throw new ConvertError("bad_argument", `${indexPath}: no "weight_map" object`);
  }
  const byShard = new Map<string, string[]>();
  for (const [name, file] of Object.entries(weightMap)) byShard.set(file, [...(byShard.get(file) ?? []), name]);
  const missing = [...byShard].filter(([file]) => !existsSync(join(dir, file)));
  if (missing.length > 0) {
    const lines = missing.map(([file, names]) => `${file} (holds ${names.length} tensors, e.g. ${names[0]})`);
    throw new ConvertError(
      "missing_shard",
      `${indexPath}: ${missing.length} shard(s) listed in the index are missing:\n  ${lines.join("\n  ")}`,
      { problems: missing.map(([f]) => f) },
    );
  }
  const shards: TensorSource[] = [];
  const tensors = new Map<string, SourceTensor>();
  const close = () => {
    for (const s of shards) s.close();
  };
  try {
    for (const [file, names] of byShard) {
      const shard = openCheckpointFile(join(dir, file));
      shards.push(shard);
      for (const name of names) {
        const t = shard.tensors.get(name);
        if (!t)
          throw new ConvertError("missing_tensor", `${indexPath}: the index puts ${name} in ${file}, which lacks it`);
        tensors.set(name, t);
      }
    }
  } catch (e) {
    close();
    throw e;
  }
  return { path: dir, tensors, close };
}
