// Large, incompressible test images in every supported format, generated inside workerd from a
// seed (nothing big is committed): seeded noise over a gradient, so the file is mostly entropy
// (photo-like for JPEG at a moderate quality). Sizes follow the encoders' measured bytes per
// pixel on this noise; `sized` re-scales once if a first try misses the wanted size.
import jpegEncWasm from "@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm";
import encodeJpeg, { init as initJpegEncoder } from "@jsquash/jpeg/encode.js";
import webpEncWasm from "@jsquash/webp/codec/enc/webp_enc.wasm";
import encodeWebp, { init as initWebpEncoder } from "@jsquash/webp/encode.js";
import { GifWriter } from "omggif";
import { pngFromIdat } from "./images";

export type BigFormat = "jpeg" | "png" | "webp" | "gif";

/** A deterministic 32-bit LCG: the same seed gives the same bytes in every run. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

interface Rgba {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** A gradient plus uniform noise of `amplitude` (256: pure noise) on every channel. */
function noisyRgba(width: number, height: number, amplitude: number, seed: number): Rgba {
  const next = lcg(seed);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      const r = next();
      const base = ((x + y) >> 3) & 255;
      const half = amplitude >> 1;
      data[i] = base + ((r >>> 24) % amplitude) - half;
      data[i + 1] = 128 + (((r >>> 16) & 255) % amplitude) - half;
      data[i + 2] = 255 - base + (((r >>> 8) & 255) % amplitude) - half;
      data[i + 3] = 255;
    }
  }
  return { data, width, height };
}

type EmscriptenInit = (module: WebAssembly.Module, overrides: object) => Promise<void>;
let jpegEncoder: Promise<void> | undefined;
let webpEncoder: Promise<void> | undefined;

/**
 * Baseline JPEG (mozjpeg, no trellis/optimisation: fast and as a camera writes it), or
 * progressive; chroma subsampled 4:2:0 unless `fullChroma` (4:4:4, the most coefficients).
 */
export async function noisyJpeg(
  width: number,
  height: number,
  options: { quality: number; amplitude: number; progressive?: boolean; fullChroma?: boolean },
) {
  jpegEncoder ??= (initJpegEncoder as unknown as EmscriptenInit)(jpegEncWasm, {});
  await jpegEncoder;
  const rgba = noisyRgba(width, height, options.amplitude, width * 31 + height);
  const progressive = options.progressive === true;
  const opts = {
    quality: options.quality,
    baseline: !progressive,
    progressive,
    optimize_coding: progressive, // progressive JPEGs always carry optimized Huffman tables
    auto_subsample: false,
    chroma_subsample: options.fullChroma ? 1 : 2,
  };
  return new Uint8Array(await encodeJpeg(rgba as unknown as Parameters<typeof encodeJpeg>[0], opts));
}

async function noisyWebp(width: number, height: number): Promise<Uint8Array> {
  webpEncoder ??= (initWebpEncoder as unknown as EmscriptenInit)(webpEncWasm, {});
  await webpEncoder;
  const rgba = noisyRgba(width, height, 256, width * 37 + height);
  return new Uint8Array(
    await encodeWebp(rgba as unknown as Parameters<typeof encodeWebp>[0], { lossless: 1, method: 0, quality: 0 }),
  );
}

/** Stored (uncompressed) deflate blocks: a random payload would not shrink anyway, and this is instant. */
function storedZlib(raw: Uint8Array): Uint8Array {
  const blocks = Math.ceil(raw.length / 65535);
  const out = new Uint8Array(2 + raw.length + blocks * 5 + 4);
  out.set([0x78, 0x01]);
  let o = 2;
  for (let at = 0; at < raw.length; at += 65535) {
    const n = Math.min(65535, raw.length - at);
    out.set([at + n >= raw.length ? 1 : 0, n & 255, n >> 8, ~n & 255, (~n >> 8) & 255], o);
    out.set(raw.subarray(at, at + n), o + 5);
    o += 5 + n;
  }
  let a = 1;
  let b = 0;
  for (const byte of raw) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  new DataView(out.buffer).setUint32(o, ((b << 16) | a) >>> 0);
  return out;
}

function noisyPng(width: number, height: number): Uint8Array {
  const next = lcg(width * 41 + height);
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let i = 0; i < raw.length; i++) raw[i] = next() >>> 24;
  for (let y = 0; y < height; y++) raw[y * (1 + width * 3)] = 0; // filter type: none
  return pngFromIdat(width, height, [storedZlib(raw)]);
}

function noisyGif(width: number, height: number): Uint8Array {
  const next = lcg(width * 43 + height);
  const indices = new Uint8Array(width * height);
  for (let i = 0; i < indices.length; i++) indices[i] = next() >>> 24;
  const palette = Array.from({ length: 256 }, (_, i) => (i * 0x9e3779b1) >>> 8);
  const buffer = new Uint8Array(width * height * 2 + 4096);
  const writer = new GifWriter(buffer, width, height, { palette });
  writer.addFrame(0, 0, width, height, indices as unknown as number[]); // read by index only
  return buffer.slice(0, writer.end());
}

/** Encoded bytes per pixel of the generators above, measured on 1 MP. */
const BYTES_PER_PIXEL: Record<BigFormat, number> = { jpeg: 3.54, png: 3.0, webp: 2.96, gif: 1.376 };

function encode(format: BigFormat, width: number, height: number): Promise<Uint8Array> | Uint8Array {
  if (format === "jpeg") return noisyJpeg(width, height, { quality: 100, amplitude: 256 });
  if (format === "webp") return noisyWebp(width, height);
  return format === "png" ? noisyPng(width, height) : noisyGif(width, height);
}

/**
 * An incompressible image of `format` between 96 % and 100 % of `bytes` (4:3 canvas). One
 * correction pass from the measured size if the estimate missed.
 */
export async function sized(format: BigFormat, bytes: number): Promise<Uint8Array> {
  let perPixel = BYTES_PER_PIXEL[format];
  for (let attempt = 0; attempt < 3; attempt++) {
    const pixels = (bytes * 0.98) / perPixel;
    const width = Math.round(Math.sqrt((pixels * 4) / 3));
    const height = Math.round(pixels / width);
    const file = await encode(format, width, height);
    if (file.length <= bytes && file.length >= bytes * 0.96) return file;
    perPixel = file.length / (width * height);
  }
  throw new Error(`could not make a ${format} of about ${bytes} bytes`);
}

/** `data:` URL of large bytes (the per-byte concatenation in images.ts is too slow at 20 MB). */
export function bigDataUrl(bytes: Uint8Array, type: string): string {
  const parts: string[] = [];
  for (let at = 0; at < bytes.length; at += 3 * 16384) {
    parts.push(btoa(String.fromCharCode(...bytes.subarray(at, at + 3 * 16384))));
  }
  return `data:${type};base64,${parts.join("")}`;
}
