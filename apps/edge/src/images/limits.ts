// Size limits, checked against the declared header dimensions BEFORE any pixel is decoded, so
// a decompression bomb (tiny file, huge canvas) is refused without allocating its canvas, and
// an image whose decode would not fit in the Workers isolate (128 MB) is refused cleanly
// instead of the isolate being killed.
// The public limits are the contract's (packages/schema LIMITS); the decode budget is ours.
import { LIMITS } from "@mmgpt/schema";
import type { DecodeVariant, ImageHeader } from "./dimensions";
import { ImageError } from "./errors";

/** Largest encoded image accepted, in bytes (inline or fetched). */
export const MAX_ENCODED_BYTES = LIMITS.maxImageBytes;
/** Largest canvas, in pixels (width × height), whatever the format. */
export const MAX_PIXELS = LIMITS.maxImagePixels;
/** Longest side, in pixels. */
export const MAX_SIDE = LIMITS.maxImageSide;
/** Shortest side, in pixels. */
export const MIN_SIDE = 1;
/** Memory the decode may use: the isolate's 128 MB minus headroom for the rest of the worker. */
export const MAX_DECODE_BYTES = 112 * 1024 * 1024;

/**
 * Peak decode memory per pixel, measured on the codecs in use: the wasm heap (jsquash) plus the
 * RGBA copy handed to JS (4 B/px). Progressive JPEG keeps all DCT coefficients; lossless and
 * alpha WebP keep extra planes; PNG (streamed) and GIF (omggif) build RGBA in JS directly.
 */
export const DECODE_BYTES_PER_PIXEL: Readonly<Record<DecodeVariant, number>> = Object.freeze({
  jpeg: 8.2,
  "jpeg-progressive": 11.1,
  "webp-lossy": 8.3,
  "webp-lossy-alpha": 10.5,
  "webp-lossless": 14.6,
  png: 4.1,
  gif: 5.1,
});

export interface ImageLimits {
  maxEncodedBytes: number;
  maxPixels: number;
  maxSide: number;
  minSide: number;
  maxDecodeBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = Object.freeze({
  maxEncodedBytes: MAX_ENCODED_BYTES,
  maxPixels: MAX_PIXELS,
  maxSide: MAX_SIDE,
  minSide: MIN_SIDE,
  maxDecodeBytes: MAX_DECODE_BYTES,
});

export function checkEncodedSize(byteLength: number, limits: ImageLimits): void {
  if (byteLength > limits.maxEncodedBytes) {
    throw new ImageError(
      "too_large",
      `The image is ${byteLength} bytes; the limit is ${limits.maxEncodedBytes} bytes.`,
      { limit: "maxEncodedBytes" },
    );
  }
}

export function checkDimensions(width: number, height: number, limits: ImageLimits): void {
  if (width < limits.minSide || height < limits.minSide) {
    throw new ImageError("corrupt", `The image is ${width}×${height}; each side must be at least ${limits.minSide}.`, {
      limit: "minSide",
    });
  }
  if (width > limits.maxSide || height > limits.maxSide) {
    throw new ImageError(
      "too_large",
      `The image is ${width}×${height}; the longest side may be at most ${limits.maxSide} pixels.`,
      { limit: "maxSide" },
    );
  }
  if (width * height > limits.maxPixels) {
    throw new ImageError(
      "too_large",
      `The image is ${width}×${height} (${width * height} pixels); the limit is ${limits.maxPixels} pixels.`,
      { limit: "maxPixels" },
    );
  }
}

/**
 * A progressive JPEG keeps every DCT coefficient: 2 bytes each, one per pixel of each component
 * at its sampled resolution. DECODE_BYTES_PER_PIXEL's figure was measured on 4:2:0 (1.5 planes);
 * a 4:4:4 file (3 planes) measured 14.9 B/px (3000×2500 in Node, `DecodeReport`), past it:
 * 7.2 + 2.6 per plane covers both (11.1 and 15.0).
 */
const PROGRESSIVE_BYTES_PER_PLANE = 2.6;
const PROGRESSIVE_MEASURED_PLANES = 1.5;

/** Bytes per pixel of this decode. */
export function decodeBytesPerPixel(header: Pick<ImageHeader, "variant" | "planes">): number {
  const perPixel = DECODE_BYTES_PER_PIXEL[header.variant];
  if (header.variant !== "jpeg-progressive" || header.planes === undefined) return perPixel;
  return perPixel + PROGRESSIVE_BYTES_PER_PLANE * (header.planes - PROGRESSIVE_MEASURED_PLANES);
}

/** The decode's memory: measured bytes per pixel, plus the encoded bytes twice (see below). */
export function decodeEstimate(header: ImageHeader, encodedBytes: number): number {
  return header.width * header.height * decodeBytesPerPixel(header) + 2 * encodedBytes;
}

/** Refuses an image whose decode would exceed the memory budget (the encoded bytes count twice:
 * the caller's buffer and the decoder's copy). */
export function checkDecodeMemory(header: ImageHeader, encodedBytes: number, limits: ImageLimits): void {
  if (decodeEstimate(header, encodedBytes) <= limits.maxDecodeBytes) return;
  const { width, height, variant } = header;
  const maxPixels = Math.floor((limits.maxDecodeBytes - 2 * encodedBytes) / decodeBytesPerPixel(header));
  const megapixels = (n: number) => (n / 1e6).toFixed(1);
  throw new ImageError(
    "too_large",
    `The image is ${width}×${height} (${megapixels(width * height)} MP); a ${variant.replace("-", " ")} image of this ` +
      `file size can be at most ${megapixels(Math.max(0, maxPixels))} MP here. Send a smaller image.`,
    { limit: "maxDecodeBytes" },
  );
}
