// Size limits, checked against the declared header dimensions BEFORE any pixel is decoded, so
// a decompression bomb (tiny file, huge canvas) is refused without allocating its canvas.
// Budget: decoding holds the RGBA canvas twice (wasm heap + JS copy), 8 bytes per pixel.
import { ImageError } from "./errors";

/** Largest encoded image accepted, in bytes (inline or fetched). */
export const MAX_ENCODED_BYTES = 20 * 1024 * 1024;
/** Largest canvas, in pixels (width × height). */
export const MAX_PIXELS = 40_000_000;
/** Longest side, in pixels. */
export const MAX_SIDE = 12_000;
/** Shortest side, in pixels. */
export const MIN_SIDE = 1;

export interface ImageLimits {
  maxEncodedBytes: number;
  maxPixels: number;
  maxSide: number;
  minSide: number;
}

export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = Object.freeze({
  maxEncodedBytes: MAX_ENCODED_BYTES,
  maxPixels: MAX_PIXELS,
  maxSide: MAX_SIDE,
  minSide: MIN_SIDE,
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
