import { describe, expect, it } from "vitest";
import { parseDataUrl } from "./data-url";
import { ImageError } from "./errors";

function failure(url: string, maxBytes?: number): ImageError {
  try {
    parseDataUrl(url, maxBytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ImageError);
    return error as ImageError;
  }
  throw new Error("expected parseDataUrl to throw");
}

describe("parseDataUrl", () => {
  it("decodes a base64 image data URL", () => {
    const { mediaType, bytes } = parseDataUrl("data:image/png;base64,iVBORw0KGgo=");
    expect(mediaType).toBe("image/png");
    expect(Array.from(bytes)).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it("accepts every supported media type, case-insensitively", () => {
    for (const type of ["image/jpeg", "image/webp", "image/gif", "IMAGE/PNG"]) {
      expect(parseDataUrl(`data:${type};base64,AAAA`).bytes).toHaveLength(3);
    }
  });

  it.each([
    ["wrong media type", "data:text/plain;base64,AAAA"],
    ["svg", "data:image/svg+xml;base64,AAAA"],
    ["no media type", "data:;base64,AAAA"],
    ["parameters", "data:image/png;charset=utf-8;base64,AAAA"],
    ["not base64", "data:image/png,%89PNG"],
    ["not a data URL", "https://example.com/cat.png"],
    ["empty payload", "data:image/png;base64,"],
    ["invalid characters", "data:image/png;base64,AA*A"],
    ["url-safe alphabet", "data:image/png;base64,AA-_"],
    ["whitespace", "data:image/png;base64,AAAA AAAA"],
    ["missing padding", "data:image/png;base64,AAA"],
    ["padding in the middle", "data:image/png;base64,AA==AAAA"],
  ])("refuses %s", (_name, url) => {
    const error = failure(url);
    expect(error.code).toBe("invalid_image");
    expect(error.reason).toBe("bad_data_url");
  });

  it("decodes a photo-sized payload (a regex over it overflowed V8's stack: issue #15)", () => {
    const bytes = new Uint8Array(6 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24);
    let binary = "";
    for (let at = 0; at < bytes.length; at += 30_000) binary += String.fromCharCode(...bytes.subarray(at, at + 30_000));
    const decoded = parseDataUrl(`data:image/jpeg;base64,${btoa(binary)}`).bytes;
    expect(decoded.length).toBe(bytes.length);
    expect(decoded.findIndex((b, i) => b !== bytes[i])).toBe(-1); // toEqual is slow at this size
  });

  it("refuses an oversized payload before decoding it", () => {
    const error = failure(`data:image/png;base64,${"A".repeat(4000)}`, 1000);
    expect(error.reason).toBe("too_large");
    expect(error.limit).toBe("maxEncodedBytes");
  });
});
