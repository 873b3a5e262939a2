// The KV cache's buffers, shared by the runtime (its kept outputs) and the engine's KvPool,
// apart from both so that the pool loads without onnxruntime.
import type { KvDtype } from "./graphs/self-attention.js";

/** A KV cache buffer: fp32 values, or fp16 bits (Node 20 has no Float16Array). */
export type KvArray = Float32Array | Uint16Array;

/** A zeroed KV buffer of `n` elements of the given type. */
export function kvArray(dtype: KvDtype, n: number): KvArray {
  return dtype === "fp16" ? new Uint16Array(n) : new Float32Array(n);
}
