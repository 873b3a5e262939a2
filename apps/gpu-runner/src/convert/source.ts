// What every checkpoint reader hands the converter: named tensors with dtype and shape,
// read on demand as raw chunks in order (peak memory = one chunk) or whole. Readers report
// per-tensor problems (non-contiguous, out of bounds) up front, before anything is written.
import type { FloatDtype } from "../weights/dtype.js";
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from "../weights/dtype.js";
import { ConvertError } from "./errors.js";

export interface SourceTensor {
  /** Name as stored in the checkpoint. */
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly byteLength: number;
  /** Equal identities ⇒ the same bytes (aliased keys sharing one storage). */
  readonly identity: string;
  /** Why this tensor cannot be read, when it cannot. */
  readonly problem?: string;
  /**
   * The stored bytes (little-endian, `dtype`) in order, at most `maxElements` per chunk.
   * A chunk is only valid until the next one is requested (the buffer is reused).
   */
  chunks(maxElements: number): Iterable<Uint8Array>;
}

export interface TensorSource {
  /** File or directory, for messages. */
  readonly path: string;
  readonly tensors: Map<string, SourceTensor>;
  /** The non-tensor part of the checkpoint (torch: the unpickled root), when there is one. */
  readonly root?: unknown;
  close(): void;
}

export function elementCount(t: SourceTensor): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

/** Raw float bytes of `dtype` as f32 (a view when already f32; exact for F16/BF16). */
export function widen(raw: Uint8Array, dtype: string): Float32Array {
  switch (dtype) {
    case "F32":
      return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    case "F16":
      return f16ToF32(new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2));
    case "BF16":
      return bf16ToF32(new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2));
    default:
      throw new ConvertError("unsupported_tensor", `dtype ${dtype} is not a float weight`);
  }
}

/** f32 values stored as `dtype` (round to nearest even), as bytes. */
export function narrow(x: Float32Array, dtype: FloatDtype): Uint8Array {
  const out = dtype === "F32" ? x : dtype === "F16" ? f32ToF16(x) : f32ToBf16(x);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** The whole tensor as f32 (a fresh array the caller owns). */
export function readTensor(t: SourceTensor): Float32Array {
  const n = elementCount(t);
  const out = new Uint8Array(t.byteLength);
  let at = 0;
  for (const c of t.chunks(n)) {
    out.set(c, at);
    at += c.length;
  }
  return widen(out, t.dtype);
}
