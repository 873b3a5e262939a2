// Reads a PyTorch zip checkpoint (`torch.save`, torch ≥ 1.6) as a TensorSource: unpickles
// `<archive>/data.pkl` with the safe allow-list, then reads each tensor lazily by offset
// from its `<archive>/data/<key>` storage entry, checking bounds, strides and CRC-32.
import { closeSync, readSync } from "node:fs";
import * as zlib from "node:zlib";
import { ConvertError } from "./errors.js";
import { openForRead } from "./io.js";
import { unpickle } from "./pickle.js";
import type { SourceTensor, TensorSource } from "./source.js";
import { TensorRef, type TorchDtype, torchHooks } from "./torch-pickle.js";
import { ZipReader } from "./zip.js";

const ELEMENT_BYTES: Record<TorchDtype, number> = { F32: 4, F16: 2, BF16: 2, I64: 8 };
/** Keys under which training scripts nest the weights (MultiModal-GPT: model_state_dict). */
const NESTED_KEYS = ["model_state_dict", "state_dict", "model"];

export function openTorchCheckpoint(path: string): TensorSource {
  rejectLegacyFormat(path);
  const zip = ZipReader.open(path);
  try {
    const pkl = [...zip.entries.values()].find((e) => /^[^/]+\/data\.pkl$/.test(e.name));
    if (!pkl) {
      throw new ConvertError("not_a_checkpoint", `${path}: a zip without <archive>/data.pkl: not a torch checkpoint`);
    }
    const prefix = pkl.name.slice(0, -"data.pkl".length);
    const order = zip.entries.get(`${prefix}byteorder`);
    if (order && Buffer.from(zip.readEntry(order)).toString().trim() !== "little") {
      throw new ConvertError(
        "not_a_checkpoint",
        `${path}: big-endian checkpoint: re-save it on a little-endian machine`,
      );
    }
    const root = unpickle(zip.readEntry(pkl), torchHooks(`${path} (${pkl.name})`), path);
    const tensors = new Map<string, SourceTensor>();
    for (const [name, value] of stateDictEntries(root, path)) {
      if (value instanceof TensorRef) tensors.set(String(name), torchTensor(zip, prefix, String(name), value));
    }
    if (tensors.size === 0) throw new ConvertError("not_a_checkpoint", `${path}: the checkpoint holds no tensors`);
    return { path, tensors, root, close: () => zip.close() };
  } catch (e) {
    zip.close();
    throw e;
  }
}

/** The flat name → value map: the root dict, or the dict nested under a known key. */
function stateDictEntries(root: unknown, path: string): Map<unknown, unknown> {
  if (!(root instanceof Map)) throw new ConvertError("not_a_checkpoint", `${path}: the pickle's root is not a dict`);
  for (const k of NESTED_KEYS) {
    const inner = root.get(k);
    if (inner instanceof Map && [...inner.values()].some((v) => v instanceof TensorRef)) return inner;
  }
  const out = new Map<string, unknown>();
  for (const [k, v] of root) if (typeof k === "string") out.set(k, v);
  return out;
}

function torchTensor(zip: ZipReader, prefix: string, name: string, t: TensorRef): SourceTensor {
  const key = `${prefix}data/${t.storage.key}`;
  const entry = zip.entries.get(key);
  const el = ELEMENT_BYTES[t.storage.dtype];
  const numel = t.shape.reduce((a, b) => a * b, 1);
  const byteLength = numel * el;
  const problem = !entry
    ? `storage ${key} is missing from the archive`
    : !isContiguous(t.shape, t.stride)
      ? `non-contiguous tensor (size [${t.shape}], stride [${t.stride}]): save it with .contiguous()`
      : (t.offset + numel) * el > entry.size
        ? `tensor runs past its storage (${(t.offset + numel) * el} > ${entry.size} bytes)`
        : undefined;
  const label = `${zip.path}: tensor ${name}`;
  return {
    name,
    dtype: t.storage.dtype,
    shape: t.shape,
    byteLength,
    identity: `${zip.path}:${key}:${t.offset}:${t.shape}:${t.stride}`,
    problem,
    *chunks(maxElements) {
      if (problem || !entry) throw new ConvertError("unsupported_tensor", `${label}: ${problem}`);
      const start = zip.dataOffset(entry) + t.offset * el;
      // A storage read whole is checked against the zip's CRC: a flipped byte fails loudly.
      const whole = t.offset === 0 && byteLength === entry.size;
      const step = Math.max(1, Math.min(numel, Math.floor(maxElements)));
      const buf = new Uint8Array(step * el);
      let crc = 0;
      for (let i = 0; i < numel; i += step) {
        const view = buf.subarray(0, Math.min(step, numel - i) * el);
        zip.read(start + i * el, view.length, view);
        if (whole) crc = zlib.crc32(view, crc);
        yield view;
      }
      if (whole && crc >>> 0 !== entry.crc32 >>> 0) {
        throw new ConvertError("truncated", `${label}: CRC-32 mismatch in ${key}: the file is corrupt`);
      }
    },
  };
}

/** Row-major with no gaps; strides of size-1 dims do not matter. */
export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  if (shape.length !== stride.length) return false;
  let want = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== want) return false;
    want *= shape[i];
  }
  return true;
}

/** torch < 1.6 wrote a bare pickle stream (starts 0x80): say so instead of "not a zip". */
function rejectLegacyFormat(path: string): void {
  const fd = openForRead(path, "checkpoint");
  const head = new Uint8Array(2);
  try {
    readSync(fd, head, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  if (head[0] === 0x80) {
    throw new ConvertError(
      "not_a_checkpoint",
      `${path}: legacy (torch < 1.6) checkpoint format: re-save it with torch.save(torch.load(f), f) on a recent torch`,
    );
  }
}
