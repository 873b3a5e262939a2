// Pillow's ImagingResample for 8-bit images with the BICUBIC filter (a = -0.5), reproduced
// operation for operation so results are bit-exact: separable (horizontal pass, then vertical),
// filter support scaled by the downscale factor (antialiasing), coefficients normalized per
// output pixel in double and rounded to fixed point with PRECISION_BITS = 22, clip to uint8
// after each pass. Only a window of the output is computed: the crop that is kept.

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

/** Horizontal pass on rows [y0, y1) of an RGBA image of the given width; output is RGBA. */
export function resampleRows(src: Uint8Array, width: number, y0: number, y1: number, c: Coefficients): Uint8Array {
  const outWidth = c.first.length;
  const out = new Uint8Array(outWidth * (y1 - y0) * 4);
  let o = 0;
  for (let y = y0; y < y1; y++) {
    const row = y * width * 4;
    for (let xx = 0; xx < outWidth; xx++) {
      const kOff = xx * c.ksize;
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      let s3 = HALF;
      for (let x = 0, p = row + c.first[xx] * 4; x < c.count[xx]; x++, p += 4) {
        const w = c.weights[kOff + x];
        s0 += src[p] * w;
        s1 += src[p + 1] * w;
        s2 += src[p + 2] * w;
        s3 += src[p + 3] * w;
      }
      out[o++] = clip8(s0);
      out[o++] = clip8(s1);
      out[o++] = clip8(s2);
      out[o++] = clip8(s3);
    }
  }
  return out;
}

/**
 * Vertical pass: columns [x0, x0 + outWidth) of an RGBA image `width` wide whose row 0 is
 * source row `rowOffset`; output rows follow `c`. Output is RGBA, outWidth × rows.
 */
export function resampleColumns(
  src: Uint8Array,
  width: number,
  x0: number,
  outWidth: number,
  rowOffset: number,
  c: Coefficients,
): Uint8Array {
  const outHeight = c.first.length;
  const out = new Uint8Array(outWidth * outHeight * 4);
  const stride = width * 4;
  let o = 0;
  for (let yy = 0; yy < outHeight; yy++) {
    const kOff = yy * c.ksize;
    const top = (c.first[yy] - rowOffset) * stride;
    for (let xx = 0; xx < outWidth; xx++) {
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      let s3 = HALF;
      for (let y = 0, p = top + (x0 + xx) * 4; y < c.count[yy]; y++, p += stride) {
        const w = c.weights[kOff + y];
        s0 += src[p] * w;
        s1 += src[p + 1] * w;
        s2 += src[p + 2] * w;
        s3 += src[p + 3] * w;
      }
      out[o++] = clip8(s0);
      out[o++] = clip8(s1);
      out[o++] = clip8(s2);
      out[o++] = clip8(s3);
    }
  }
  return out;
}
