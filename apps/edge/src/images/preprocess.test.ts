import { describe, expect, it } from "vitest";
import { vectorFile } from "../../test/helpers/vectors";
import { ImageError } from "./errors";
import { preprocessImage } from "./preprocess";

async function reason(bytes: Uint8Array): Promise<string> {
  const error = await preprocessImage(bytes).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ImageError);
  expect((error as ImageError).code).toBe("invalid_image");
  return (error as ImageError).reason;
}

function cut(path: string, fraction: number): Uint8Array {
  const bytes = vectorFile(path);
  return bytes.slice(0, Math.floor(bytes.length * fraction));
}

describe("preprocessImage", () => {
  it("returns the CLIP tensor, its hash and the upright size", async () => {
    const result = await preprocessImage(vectorFile("images/jpeg-exif6.jpg").slice());
    expect(result.format).toBe("jpeg");
    expect([result.width, result.height]).toEqual([240, 320]); // stored 320×240, EXIF orientation 6
    expect(result.rgb).toHaveLength(224 * 224 * 3);
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is deterministic and accepts ArrayBuffer input", async () => {
    const a = await preprocessImage(vectorFile("images/png-small.png").slice());
    const b = await preprocessImage(vectorFile("images/png-small.png").slice().buffer);
    expect(b.sha256).toBe(a.sha256);
  });

  it("refuses random bytes as an unsupported format", async () => {
    const random = crypto.getRandomValues(new Uint8Array(4096));
    random[0] = 0x42; // never a JPEG/PNG/RIFF/GIF signature
    expect(await reason(random)).toBe("unsupported_format");
    expect(await reason(new Uint8Array(0))).toBe("unsupported_format");
    expect(await reason(new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'/>"))).toBe(
      "unsupported_format",
    );
  });

  it.each([
    ["images/png-rgba.png", 0.5],
    ["images/png-palette.png", 0.9],
    ["images/jpeg-large.jpg", 0.5],
    ["images/jpeg-exif6.jpg", 0.99],
    ["images/webp-lossy.webp", 0.5],
    ["images/webp-lossless-alpha.webp", 0.8],
    ["images/gif-offset-frame.gif", 0.5],
  ])("refuses truncated %s (%s of the file) as corrupt", async (path, fraction) => {
    expect(await reason(cut(path, fraction))).toBe("corrupt");
  });

  it("refuses a file truncated inside its header", async () => {
    expect(await reason(cut("images/jpeg-large.jpg", 0.001))).toBe("corrupt");
    expect(await reason(cut("images/png-small.png", 0.001))).toBe("corrupt");
  });

  it("keeps decoding after a decoder failure", async () => {
    // Failures raised inside the wasm codecs themselves (not by our header checks).
    const jpeg = vectorFile("images/jpeg-gray.jpg").slice();
    const dqt = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xdb);
    jpeg[dqt + 4] = 0x0f; // quantization table id 15: libjpeg's fatal "Bogus DQT index"
    const broken: [string, Uint8Array][] = [
      ["images/jpeg-gray.jpg", jpeg],
      ["images/png-small.png", cut("images/png-small.png", 0.6)],
      ["images/webp-lossy.webp", cut("images/webp-lossy.webp", 0.6)],
    ];
    for (const [path, bytes] of broken) {
      const good = await preprocessImage(vectorFile(path).slice());
      expect(await reason(bytes)).toBe("corrupt");
      expect(await reason(bytes)).toBe("corrupt");
      expect((await preprocessImage(vectorFile(path).slice())).sha256).toBe(good.sha256);
    }
  });
});
