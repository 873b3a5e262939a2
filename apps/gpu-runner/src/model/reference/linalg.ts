// Dense float64 building blocks on row-major matrices: the PyTorch Linear product
// x·Wᵀ (+ b) with W stored [out, in], and in-place residual adds.

/** y[rows × out] = x[rows × in] · Wᵀ + bias, W row-major [out × in] as PyTorch stores it. */
export function linear(
  x: Float64Array,
  rows: number,
  w: Float64Array,
  out: number,
  inDim: number,
  bias?: Float64Array,
): Float64Array {
  if (x.length !== rows * inDim) throw new Error(`linear: input has ${x.length} values, want ${rows}×${inDim}`);
  if (w.length !== out * inDim) throw new Error(`linear: weight has ${w.length} values, want ${out}×${inDim}`);
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++) {
    const xo = r * inDim;
    for (let o = 0; o < out; o++) {
      const wo = o * inDim;
      let s = bias ? bias[o] : 0;
      for (let i = 0; i < inDim; i++) s += x[xo + i] * w[wo + i];
      y[r * out + o] = s;
    }
  }
  return y;
}

/** x += scale · y, elementwise, in place. */
export function addScaled(x: Float64Array, y: Float64Array, scale = 1): void {
  if (x.length !== y.length) throw new Error(`addScaled: ${x.length} vs ${y.length} values`);
  for (let i = 0; i < x.length; i++) x[i] += scale * y[i];
}

/** Rows [from, to) of a row-major matrix with `cols` columns (a copy). */
export function sliceRows(x: Float64Array, cols: number, from: number, to: number): Float64Array {
  return x.slice(from * cols, to * cols);
}

/** Columns [from, to) of a row-major matrix [rows × cols] (a copy): splits fused projections like to_kv. */
export function sliceCols(x: Float64Array, rows: number, cols: number, from: number, to: number): Float64Array {
  const w = to - from;
  const y = new Float64Array(rows * w);
  for (let r = 0; r < rows; r++) y.set(x.subarray(r * cols + from, r * cols + to), r * w);
  return y;
}
