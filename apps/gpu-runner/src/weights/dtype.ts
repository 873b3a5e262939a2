// Safetensors dtypes and the float conversions the runtime needs: f32 → f16/bf16 with
// round-to-nearest-even (what numpy/torch do, so converted files match theirs bit for bit)
// and f16/bf16 → f32 (exact). Safetensors data is little-endian; so are all our targets.
import { endianness } from "node:os";

/** Dtypes accepted for weights. */
export type FloatDtype = "F32" | "F16" | "BF16";
/** Dtypes a file may hold: floats, plus integer buffers that are flagged, never read as weights. */
export type Dtype = FloatDtype | "I64" | "I32";

export const DTYPE_BYTES: Record<Dtype, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4 };

export function isFloatDtype(d: string): d is FloatDtype {
  return d === "F32" || d === "F16" || d === "BF16";
}

export function isDtype(d: string): d is Dtype {
  return Object.hasOwn(DTYPE_BYTES, d);
}

// Typed-array views reinterpret bytes in host order; a big-endian host would silently
// read garbage, so refuse loudly instead.
if (endianness() !== "LE") throw new Error("weights: safetensors I/O assumes a little-endian host");

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** f32 bit pattern → f16 bits, round to nearest even; overflow → ±inf, NaN stays NaN. */
export function f32BitsToF16(b: number): number {
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // f16 subnormal: value = m × 2^-24, so m = full mantissa >> (126 - exp).
    const shift = 126 - exp;
    if (shift > 24) return sign; // below half the smallest subnormal
    const full = mant | 0x800000;
    let m = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && m & 1)) m++;
    return sign | m; // m may carry into the smallest normal: that encoding is correct
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // a carry may round up to inf: correct
  return sign | h;
}

/** f32 bit pattern → bf16 bits, round to nearest even; NaN stays (quiet) NaN. */
export function f32BitsToBf16(b: number): number {
  if ((b & 0x7f800000) === 0x7f800000 && b & 0x7fffff) return ((b >>> 16) | 0x40) & 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

export function f32ToF16Bits(x: number): number {
  scratchF32[0] = x;
  return f32BitsToF16(scratchU32[0]);
}

export function f32ToBf16Bits(x: number): number {
  scratchF32[0] = x;
  return f32BitsToBf16(scratchU32[0]);
}

export function f32ToF16(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < bits.length; i++) out[i] = f32BitsToF16(bits[i]);
  return out;
}

export function f32ToBf16(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < bits.length; i++) out[i] = f32BitsToBf16(bits[i]);
  return out;
}

// All 65536 f16 values decoded once (256 KiB): a lookup beats bit fiddling per element.
let f16Table: Float32Array | null = null;
function f16Lookup(): Float32Array {
  if (f16Table) return f16Table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const e = (h >>> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 0) t[h] = sign * m * 2 ** -24;
    else if (e === 0x1f) t[h] = m ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else t[h] = sign * (1 + m / 1024) * 2 ** (e - 15);
  }
  f16Table = t;
  return t;
}

export function f16BitsToF32(h: number): number {
  return f16Lookup()[h & 0xffff];
}

export function bf16BitsToF32(h: number): number {
  scratchU32[0] = (h & 0xffff) << 16;
  return scratchF32[0];
}

export function f16ToF32(src: Uint16Array): Float32Array {
  const t = f16Lookup();
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = t[src[i]];
  return out;
}

export function bf16ToF32(src: Uint16Array): Float32Array {
  // bf16 is the top half of an f32: shift into place, then view the bits as floats.
  const bits = new Uint32Array(src.length);
  for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
  return new Float32Array(bits.buffer);
}
