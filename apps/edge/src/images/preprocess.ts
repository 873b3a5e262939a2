// The edge's image pipeline: bytes → checks → decode → EXIF orientation → CLIP resize/crop →
// SHA-256. The result is exactly the 224×224×3 uint8 tensor the runner normalizes, and its
// hash is the cache key for media latents on the runner and for the pixels in R2.

import { decodePixels } from "./decode";
import type { DecodeVariant, PixelMode } from "./dimensions";
import { readHeader } from "./dimensions";
import { ImageError } from "./errors";
import { readJpegOrientation } from "./exif";
import {
  checkDecodeMemory,
  checkDimensions,
  checkEncodedSize,
  DEFAULT_IMAGE_LIMITS,
  decodeEstimate,
  type ImageLimits,
} from "./limits";
import { orientedView } from "./orientation";
import { clipResize } from "./resize";
import { type ImageFormat, sniffFormat } from "./sniff";

export interface PreprocessedImage {
  /** Lowercase hex SHA-256 of `rgb`. */
  sha256: string;
  /** 224 × 224 × 3 bytes, HWC, RGB, uint8: not normalized. */
  rgb: Uint8Array;
  /** Original size, after EXIF orientation. */
  width: number;
  height: number;
  format: ImageFormat;
}

export interface PreprocessOptions {
  limits?: Partial<ImageLimits>;
  /** Diagnostics: sees the memory of every decode that ran (the decoder fuzz checks it). */
  onDecoded?: (report: DecodeReport) => void;
}

export interface DecodeReport {
  format: ImageFormat;
  variant: DecodeVariant;
  width: number;
  height: number;
  /** limits.maxDecodeBytes */
  budgetBytes: number;
  /** What checkDecodeMemory counted the decode at before running it. */
  estimatedBytes: number;
  /** Measured: the decoder's working bytes (DecodedImage.workingBytes) plus the encoded input. */
  measuredBytes: number;
}

export async function preprocessImage(
  input: Uint8Array | ArrayBuffer,
  options: PreprocessOptions = {},
): Promise<PreprocessedImage> {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const limits: ImageLimits = { ...DEFAULT_IMAGE_LIMITS, ...options.limits };

  // 1. Cheap checks first: size, format from magic bytes, declared dimensions.
  checkEncodedSize(bytes.byteLength, limits);
  const format = sniffFormat(bytes);
  if (!format) {
    throw new ImageError("unsupported_format", "The image format is not supported; send JPEG, PNG, WebP or GIF.");
  }
  const header = readHeader(bytes, format);
  checkDimensions(header.width, header.height, limits);
  checkDecodeMemory(header, bytes.byteLength, limits);

  // 2. Decode, then turn JPEGs upright. Pillow's open_clip transform ignores EXIF orientation;
  //    we apply it on purpose (a product decision: users expect the photo as their phone shows it).
  const decoded = await decodePixels(bytes, format, header);
  options.onDecoded?.({
    format,
    variant: header.variant,
    width: header.width,
    height: header.height,
    budgetBytes: limits.maxDecodeBytes,
    estimatedBytes: decodeEstimate(header, bytes.byteLength),
    measuredBytes: decoded.workingBytes + bytes.byteLength,
  });
  const mode: PixelMode = decoded.mode;
  const view = orientedView(decoded.image, format === "jpeg" ? readJpegOrientation(bytes) : 1);

  // 3. Resize + center crop exactly as Pillow/torchvision, then hash.
  const rgb = clipResize(view, mode);
  return { sha256: await sha256Hex(rgb), rgb, width: view.width, height: view.height, format };
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
