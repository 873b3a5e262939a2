// Rotary position embedding in Hugging Face LLaMA's rotate_half convention: dimension i is
// paired with i + headDim/2 (not with i+1 as in the original interleaved RoPE), which is
// how the HF checkpoints' q_proj/k_proj rows are permuted.

/** inv_freq[i] = theta^(−2i/headDim), i < headDim/2. */
export function ropeInvFreq(headDim: number, theta: number): Float64Array {
  const half = headDim / 2;
  const f = new Float64Array(half);
  for (let i = 0; i < half; i++) f[i] = theta ** (-(2 * i) / headDim);
  return f;
}

/**
 * Rotates x [rows × heads·headDim] in place; row r is at position positions[r]:
 *   out[i]        = x[i]·cos(p·f_i) − x[i+half]·sin(p·f_i)
 *   out[i + half] = x[i+half]·cos(p·f_i) + x[i]·sin(p·f_i)
 */
export function applyRope(
  x: Float64Array,
  heads: number,
  headDim: number,
  positions: readonly number[],
  theta: number,
): void {
  const half = headDim / 2;
  const invFreq = ropeInvFreq(headDim, theta);
  const width = heads * headDim;
  if (x.length !== positions.length * width) throw new Error("applyRope: rows and positions disagree");
  for (let r = 0; r < positions.length; r++) {
    for (let i = 0; i < half; i++) {
      const angle = positions[r] * invFreq[i];
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      for (let h = 0; h < heads; h++) {
        const o = r * width + h * headDim;
        const a = x[o + i];
        const b = x[o + i + half];
        x[o + i] = a * cos - b * sin;
        x[o + i + half] = b * cos + a * sin;
      }
    }
  }
}
