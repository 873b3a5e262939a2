// Pointwise nonlinearities and the row softmax. Each matches its PyTorch definition:
// nn.GELU() (exact, erf), OpenAI CLIP's QuickGELU, and LLaMA's SiLU.
import { erfc } from "./erf.js";

/** Exact GELU: x·Φ(x) = ½x(1 + erf(x/√2)), written as ½x·erfc(−x/√2) to keep the left tail precise. */
export function gelu(x: number): number {
  return 0.5 * x * erfc(-x * Math.SQRT1_2);
}

/** QuickGELU, x·σ(1.702x): what OpenAI's CLIP weights were trained with. */
export function quickGelu(x: number): number {
  return x / (1 + Math.exp(-1.702 * x));
}

/** SiLU (swish), x·σ(x). */
export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

/** Applies f to every element, in place. */
export function mapInPlace(x: Float64Array, f: (v: number) => number): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] = f(x[i]);
  return x;
}

/** Softmax of x[from, from + n) in place, max-subtracted so large logits do not overflow. */
export function softmaxInPlace(x: Float64Array, from = 0, n = x.length - from): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = from; i < from + n; i++) if (x[i] > max) max = x[i];
  let sum = 0;
  for (let i = from; i < from + n; i++) {
    x[i] = Math.exp(x[i] - max);
    sum += x[i];
  }
  for (let i = from; i < from + n; i++) x[i] /= sum;
}
