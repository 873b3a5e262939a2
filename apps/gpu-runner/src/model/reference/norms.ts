// The two normalizations of the model: LayerNorm (CLIP, perceiver, gated blocks; biased,
// mean-centred) and LLaMA's RMSNorm (no centring, no bias). Row-wise over the last dim.

/** LayerNorm over each row of x [rows × dim]: (x − mean) / sqrt(var + eps) · w + b, biased variance. */
export function layerNorm(x: Float64Array, dim: number, w: Float64Array, b: Float64Array, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    const o = r * dim;
    let mean = 0;
    for (let i = 0; i < dim; i++) mean += x[o + i];
    mean /= dim;
    let v = 0;
    for (let i = 0; i < dim; i++) v += (x[o + i] - mean) ** 2;
    const inv = 1 / Math.sqrt(v / dim + eps);
    for (let i = 0; i < dim; i++) y[o + i] = (x[o + i] - mean) * inv * w[i] + b[i];
  }
  return y;
}

/** RMSNorm over each row of x [rows × dim]: x / sqrt(mean(x²) + eps) · w (HF LlamaRMSNorm). */
export function rmsNorm(x: Float64Array, dim: number, w: Float64Array, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    const o = r * dim;
    let ms = 0;
    for (let i = 0; i < dim; i++) ms += x[o + i] * x[o + i];
    const inv = 1 / Math.sqrt(ms / dim + eps);
    for (let i = 0; i < dim; i++) y[o + i] = x[o + i] * inv * w[i];
  }
  return y;
}
