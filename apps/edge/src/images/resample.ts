// Pillow's ImagingResample for 8-bit images with the BICUBIC filter (a = -0.5), reproduced
// operation for operation so results are bit-exact: separable (horizontal pass, then vertical),
// filter support scaled by the downscale factor (antialiasing), coefficients normalized per
// output pixel in double and rounded to fixed point with PRECISION_BITS = 22, clip to uint8
// after each pass. Only a window of the output is computed: the crop that is kept.

import type { PixelView } from "./orientation";

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);
const BICUBIC_SUPPORT = 2;

function bicubic(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/** Per output pixel: first input index, tap count, and `ksize` fixed-point weights. */
export interface Coefficients {
  first: Int32Array;
  count: Int32Array;
  weights: Int32Array;
  ksize: number;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for outputs [from, from + n) of outSize. */
export function coefficients(inSize: number, outSize: number, from: number, n: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = BICUBIC_SUPPORT * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const inv = 1 / filterScale;
  const first = new Int32Array(n);
  const count = new Int32Array(n);
  const weights = new Int32Array(n * ksize);
  const k = new Float64Array(ksize);
  for (let i = 0; i < n; i++) {
    const center = (from + i + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      k[x] = bicubic((x + xmin - center + 0.5) * inv);
      sum += k[x];
    }
    for (let x = 0; x < xmax; x++) {
      const w = sum !== 0 ? k[x] / sum : k[x];
      weights[i * ksize + x] = Math.trunc(w < 0 ? -0.5 + w * ONE : 0.5 + w * ONE);
    }
    first[i] = xmin;
    count[i] = Math.max(0, xmax);
  }
  return { first, count, weights, ksize };
}

const clip8 = (ss: number) => {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : Math.min(v, 255);
};

/** Horizontal pass on rows [y0, y1) of a view; output is RGBA, one row per input row. */
export function resampleRows(src: PixelView, y0: number, y1: number, c: Coefficients): Uint8Array {
  const { data, stepX } = src;
  const outWidth = c.first.length;
  const out = new Uint8Array(outWidth * (y1 - y0) * 4);
  const step = stepX * 4;
  let o = 0;
  for (let y = y0; y < y1; y++) {
    const row = src.origin + y * src.stepY;
    for (let xx = 0; xx < outWidth; xx++) {
      const kOff = xx * c.ksize;
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      let s3 = HALF;
      for (let x = 0, p = (row + c.first[xx] * stepX) * 4; x < c.count[xx]; x++, p += step) {
        const w = c.weights[kOff + x];
        s0 += data[p] * w;
        s1 += data[p + 1] * w;
        s2 += data[p + 2] * w;
        s3 += data[p + 3] * w;
      }
      out[o++] = clip8(s0);
      out[o++] = clip8(s1);
      out[o++] = clip8(s2);
      out[o++] = clip8(s3);
    }
  }
  return out;
}

/** Vertical pass over columns [x0, x0 + outWidth) of a view; output RGBA, outWidth × rows of `c`. */
export function resampleColumns(src: PixelView, x0: number, outWidth: number, c: Coefficients): Uint8Array {
  const { data, stepX } = src;
  const outHeight = c.first.length;
  const out = new Uint8Array(outWidth * outHeight * 4);
  const step = src.stepY * 4;
  let o = 0;
  for (let yy = 0; yy < outHeight; yy++) {
    const kOff = yy * c.ksize;
    const top = src.origin + c.first[yy] * src.stepY;
    for (let xx = 0; xx < outWidth; xx++) {
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      let s3 = HALF;
      for (let y = 0, p = (top + (x0 + xx) * stepX) * 4; y < c.count[yy]; y++, p += step) {
        const w = c.weights[kOff + y];
        s0 += data[p] * w;
        s1 += data[p + 1] * w;
        s2 += data[p + 2] * w;
        s3 += data[p + 3] * w;
      }
      out[o++] = clip8(s0);
      out[o++] = clip8(s1);
      out[o++] = clip8(s2);
      out[o++] = clip8(s3);
    }
  }
  return out;
}
