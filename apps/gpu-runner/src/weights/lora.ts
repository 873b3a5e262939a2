// LoRA merge: W_eff = W + scale · B·A (A = lora_A [r, in], B = lora_B [out, r], W [out, in],
// all row-major), done once at load time so the graphs run plain matmuls. Each output row
// is accumulated in f64 and added to W once, so merging adds a single f32 rounding.
import { WeightsError } from "./errors.js";

/** peft's scaling: alpha / r. */
export function loraScale(alpha: number, r: number): number {
  if (!(r > 0) || !Number.isFinite(alpha)) throw new WeightsError("bad_argument", `LoRA needs r > 0 (got r=${r})`);
  return alpha / r;
}

/** Returns a new array W + scale·B·A; `base` is left untouched. */
export function mergeLora(
  base: Float32Array,
  a: Float32Array,
  b: Float32Array,
  out: number,
  inn: number,
  r: number,
  scale: number,
): Float32Array {
  return mergeLoraInPlace(Float32Array.from(base), a, b, out, inn, r, scale);
}

/** W += scale·B·A, overwriting `w` (saves a copy of a large base weight). */
export function mergeLoraInPlace(
  w: Float32Array,
  a: Float32Array,
  b: Float32Array,
  out: number,
  inn: number,
  r: number,
  scale: number,
): Float32Array {
  const check = (what: string, got: number, want: number) => {
    if (got !== want) {
      throw new WeightsError("shape_mismatch", `mergeLora: ${what} has ${got} values, expected ${want}`);
    }
  };
  check(`W [${out}, ${inn}]`, w.length, out * inn);
  check(`A [${r}, ${inn}]`, a.length, r * inn);
  check(`B [${out}, ${r}]`, b.length, out * r);
  // Loop order o → k → j streams one row of W and rows of A contiguously; the f64 row
  // buffer is the only allocation.
  const acc = new Float64Array(inn);
  for (let o = 0; o < out; o++) {
    acc.fill(0);
    for (let k = 0; k < r; k++) {
      const coef = b[o * r + k];
      if (coef === 0) continue;
      const aRow = k * inn;
      for (let j = 0; j < inn; j++) acc[j] += coef * a[aRow + j];
    }
    const wRow = o * inn;
    for (let j = 0; j < inn; j++) w[wRow + j] += scale * acc[j];
  }
  return w;
}
