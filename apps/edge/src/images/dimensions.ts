// Header parsers: the declared canvas size of each format, read before any decoding so limits
// can refuse decompression bombs cheaply. Also reports how Pillow would resample the file
// (see PixelMode), which depends on the header's colour type.
import { ImageError } from "./errors";
import { isStartOfFrame, jpegSegments } from "./jpeg-segments";
import type { ImageFormat } from "./sniff";

/**
 * How open_clip's Pillow pipeline resamples the image, from the mode `Image.open` gives it:
 * - "rgb": RGB / L — bicubic on the colour channels, alpha (if any) ignored;
 * - "rgba": RGBA / LA — bicubic on premultiplied RGBA (Pillow's RGBa), alpha dropped after;
 * - "palette": P / 1 — Pillow forces NEAREST for these modes.
 */
export type PixelMode = "rgb" | "rgba" | "palette";

/** What the decoder will do, which decides its memory use per pixel (see limits.ts). */
export type DecodeVariant =
  | "jpeg"
  | "jpeg-progressive"
  | "png"
  | "webp-lossy"
  | "webp-lossy-alpha"
  | "webp-lossless"
  | "gif";

export interface ImageHeader {
  width: number;
  height: number;
  mode: PixelMode;
  variant: DecodeVariant;
  /**
   * JPEG: the components' sampled areas as fractions of the image (4:2:0 → 1.5, 4:4:4 → 3,
   * gray → 1): how many full-size coefficient planes a progressive decode keeps.
   */
  planes?: number;
}

function corrupt(format: string, detail: string): ImageError {
  return new ImageError("corrupt", `The ${format} header is invalid: ${detail}.`);
}

const u16be = (b: Uint8Array, p: number) => (b[p] << 8) | b[p + 1];
const u16le = (b: Uint8Array, p: number) => b[p] | (b[p + 1] << 8);
const u24le = (b: Uint8Array, p: number) => b[p] | (b[p + 1] << 8) | (b[p + 2] << 16);
const u32be = (b: Uint8Array, p: number) => ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
const fourcc = (b: Uint8Array, p: number) => String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3]);

function jpegHeader(bytes: Uint8Array): ImageHeader {
  try {
    for (const seg of jpegSegments(bytes)) {
      if (!isStartOfFrame(seg.marker)) continue;
      if (seg.end - seg.start < 6) throw corrupt("JPEG", "the SOF segment is too short");
      const height = u16be(bytes, seg.start + 1);
      const width = u16be(bytes, seg.start + 3);
      const components = bytes[seg.start + 5];
      if (components !== 1 && components !== 3) {
        throw new ImageError(
          "unsupported_format",
          `JPEG images with ${components} colour components (CMYK/YCCK) are not supported; convert to RGB.`,
        );
      }
      // SOF2/6/10/14 are progressive: the decoder keeps every DCT coefficient in memory.
      const progressive = (seg.marker & 0x03) === 0x02;
      if (seg.end - seg.start < 6 + 3 * components) throw corrupt("JPEG", "the SOF segment is too short");
      const sampling = Array.from({ length: components }, (_, i) => bytes[seg.start + 7 + 3 * i]);
      const hMax = Math.max(1, ...sampling.map((f) => f >> 4));
      const vMax = Math.max(1, ...sampling.map((f) => f & 0x0f));
      const planes = sampling.reduce((sum, f) => sum + ((f >> 4) * (f & 0x0f)) / (hMax * vMax), 0);
      // Height 0 (defined later by DNL) fails the minimum-side limit.
      return { width, height, mode: "rgb", variant: progressive ? "jpeg-progressive" : "jpeg", planes };
    }
  } catch (cause) {
    if (cause instanceof ImageError) throw cause;
    throw corrupt("JPEG", (cause as Error).message);
  }
  throw corrupt("JPEG", "no frame header before the image data");
}

// PNG colour types: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA; allowed bit depths per type.
const PNG_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

function pngHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 33) throw corrupt("PNG", "the file is too short");
  if (u32be(bytes, 8) !== 13 || fourcc(bytes, 12) !== "IHDR") throw corrupt("PNG", "IHDR must come first");
  const width = u32be(bytes, 16);
  const height = u32be(bytes, 20);
  const depth = bytes[24];
  const colorType = bytes[25];
  if (!PNG_DEPTHS[colorType]?.includes(depth)) throw corrupt("PNG", `bit depth ${depth}, colour type ${colorType}`);
  // Pillow: type 3 → "P" and 1-bit gray → "1" (both NEAREST); types 4 and 6 → "LA"/"RGBA".
  const mode: PixelMode =
    colorType === 3 || (colorType === 0 && depth === 1)
      ? "palette"
      : colorType === 4 || colorType === 6
        ? "rgba"
        : "rgb";
  return { width, height, mode, variant: "png" };
}

/** The fourccs of the RIFF chunks after VP8X, to tell lossy, lossy + ALPH and lossless apart. */
function webpChunks(bytes: Uint8Array): Set<string> {
  const seen = new Set<string>();
  for (let p = 12; p + 8 <= bytes.length; ) {
    seen.add(fourcc(bytes, p));
    const size = (bytes[p + 4] | (bytes[p + 5] << 8) | (bytes[p + 6] << 16) | (bytes[p + 7] << 24)) >>> 0;
    p += 8 + size + (size & 1); // chunks are padded to even sizes
  }
  return seen;
}

function webpHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 30) throw corrupt("WebP", "the file is too short");
  const chunk = fourcc(bytes, 12);
  const p = 20; // chunk payload
  if (chunk === "VP8 ") {
    // Frame tag (3 bytes, bit 0 = 0 on key frames), start code 9d 01 2a, then 14-bit sizes.
    if ((bytes[p] & 1) !== 0 || bytes[p + 3] !== 0x9d || bytes[p + 4] !== 0x01 || bytes[p + 5] !== 0x2a) {
      throw corrupt("WebP", "bad VP8 key frame header");
    }
    const width = u16le(bytes, p + 6) & 0x3fff;
    return { width, height: u16le(bytes, p + 8) & 0x3fff, mode: "rgb", variant: "webp-lossy" };
  }
  if (chunk === "VP8L") {
    if (bytes[p] !== 0x2f) throw corrupt("WebP", "bad VP8L signature");
    const bits = (bytes[p + 1] | (bytes[p + 2] << 8) | (bytes[p + 3] << 16) | (bytes[p + 4] << 24)) >>> 0;
    const hasAlpha = ((bits >>> 28) & 1) === 1; // libwebp's has_alpha → Pillow opens as RGBA
    const width = (bits & 0x3fff) + 1;
    const height = ((bits >>> 14) & 0x3fff) + 1;
    return { width, height, mode: hasAlpha ? "rgba" : "rgb", variant: "webp-lossless" };
  }
  if (chunk === "VP8X") {
    const flags = bytes[p];
    if (flags & 0x02) throw new ImageError("unsupported_format", "Animated WebP images are not supported.");
    const chunks = webpChunks(bytes);
    const variant = chunks.has("VP8L") ? "webp-lossless" : chunks.has("ALPH") ? "webp-lossy-alpha" : "webp-lossy";
    return {
      width: u24le(bytes, p + 4) + 1,
      height: u24le(bytes, p + 7) + 1,
      mode: flags & 0x10 ? "rgba" : "rgb",
      variant,
    };
  }
  throw corrupt("WebP", `unknown first chunk "${chunk}"`);
}

function gifHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 13) throw corrupt("GIF", "the file is too short");
  // The logical screen is the canvas Pillow composes the first frame onto. The final mode
  // (palette vs gray) depends on the colour table and is settled by the GIF decoder.
  return { width: u16le(bytes, 6), height: u16le(bytes, 8), mode: "palette", variant: "gif" };
}

/** Declared canvas size and Pillow resampling mode, from the header alone. */
export function readHeader(bytes: Uint8Array, format: ImageFormat): ImageHeader {
  switch (format) {
    case "jpeg":
      return jpegHeader(bytes);
    case "png":
      return pngHeader(bytes);
    case "webp":
      return webpHeader(bytes);
    case "gif":
      return gifHeader(bytes);
  }
}
