import { describe, expect, it } from "vitest";
import { ImageError } from "./errors";
import { MAX_PIXELS, MAX_SIDE } from "./limits";
import { preprocessImage } from "./preprocess";

// Headers that declare a huge canvas and carry no pixel data at all: if the pipeline decoded
// before checking, these would fail as "corrupt", not as "too_large" with the limit named.
function png(width: number, height: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, width);
  new DataView(b.buffer).setUint32(20, height);
  b.set([8, 2, 0, 0, 0], 24); // 8-bit RGB
  return b;
}

function jpeg(width: number, height: number, sof = 0xc0): Uint8Array {
  // SOI, SOFn (length 17, 8-bit, 3 components), then nothing.
  const b = new Uint8Array([0xff, 0xd8, 0xff, sof, 0, 17, 8, 0, 0, 0, 0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  new DataView(b.buffer).setUint16(7, height);
  new DataView(b.buffer).setUint16(9, width);
  return b;
}

function webpVp8x(width: number, height: number, next = ""): Uint8Array {
  const b = new Uint8Array(next ? 38 : 30);
  if (next) b.set(new TextEncoder().encode(next), 30); // the chunk after VP8X (size 0)
  b.set(new TextEncoder().encode("RIFF"), 0);
  b.set([22, 0, 0, 0], 4);
  b.set(new TextEncoder().encode("WEBPVP8X"), 8);
  b.set([10, 0, 0, 0], 16);
  const w = width - 1;
  const h = height - 1;
  b.set([w & 0xff, (w >> 8) & 0xff, w >> 16, h & 0xff, (h >> 8) & 0xff, h >> 16], 24); // 24-bit LE
  return b;
}

function gif(width: number, height: number): Uint8Array {
  const b = new Uint8Array(13);
  b.set(new TextEncoder().encode("GIF89a"));
  new DataView(b.buffer).setUint16(6, width, true);
  new DataView(b.buffer).setUint16(8, height, true);
  return b;
}

async function rejection(bytes: Uint8Array): Promise<ImageError> {
  const error = await preprocessImage(bytes).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ImageError);
  return error as ImageError;
}

describe("limits are enforced from the header, before decoding", () => {
  it.each([
    ["PNG 100000×100000", png(100_000, 100_000), "maxSide"],
    ["PNG 10000×10000 (100 MP)", png(10_000, 10_000), "maxPixels"],
    ["JPEG 60000×60000", jpeg(60_000, 60_000), "maxSide"],
    ["JPEG 8000×8000 (64 MP)", jpeg(8000, 8000), "maxPixels"],
    ["WebP 16384×16384", webpVp8x(16_384, 16_384), "maxSide"],
    ["GIF 65535×65535", gif(65_535, 65_535), "maxSide"],
  ])("%s is refused as too large", async (_name, bytes, limit) => {
    const error = await rejection(bytes);
    expect(error.code).toBe("invalid_image");
    expect(error.reason).toBe("too_large");
    expect(error.limit).toBe(limit);
    expect(error.message).toMatch(limit === "maxSide" ? String(MAX_SIDE) : String(MAX_PIXELS));
  });

  it.each([
    ["a progressive 12 MP JPEG", jpeg(4032, 3024, 0xc2)],
    ["a lossless 12 MP WebP", webpVp8x(4032, 3024, "VP8L")],
    ["a 30 MP PNG", png(6000, 5000)],
  ])("refuses %s whose decode would not fit in the isolate", async (_name, bytes) => {
    const error = await rejection(bytes);
    expect(error).toMatchObject({ reason: "too_large", limit: "maxDecodeBytes" });
    expect(error.message).toMatch(/at most [\d.]+ MP/);
  });

  it.each([
    ["a baseline 12 MP JPEG (phone photo)", jpeg(4032, 3024)],
    ["a 24 MP PNG", png(6000, 4000)],
  ])("lets %s through to the decoder", async (_name, bytes) => {
    expect((await rejection(bytes)).reason).toBe("corrupt"); // header-only file: fails in the decoder
  });

  it("refuses a zero-sized canvas", async () => {
    const error = await rejection(gif(0, 10));
    expect(error.limit).toBe("minSide");
  });

  it("refuses an encoded file over the byte limit without reading it", async () => {
    const error = await preprocessImage(new Uint8Array(2048), { limits: { maxEncodedBytes: 1024 } }).catch((e) => e);
    expect(error).toMatchObject({ code: "invalid_image", reason: "too_large", limit: "maxEncodedBytes" });
  });

  it("accepts tighter limits per call", async () => {
    const error = await preprocessImage(png(300, 300), { limits: { maxSide: 256 } }).catch((e) => e);
    expect(error).toMatchObject({ reason: "too_large", limit: "maxSide" });
  });
});
