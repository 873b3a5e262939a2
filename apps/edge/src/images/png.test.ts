import { describe, expect, it } from "vitest";
import { deflate, pngFromIdat } from "../../test/helpers/images";
import { ImageError } from "./errors";
import { decodePng } from "./png";

/** Decodes at the size the file's first IHDR declares (what the pipeline checked). */
const decode = async (bytes: Uint8Array) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return (await decodePng(bytes, { width: view.getUint32(16), height: view.getUint32(20) })).image;
};

describe("decodePng", () => {
  it("decodes rows with every filter type", async () => {
    // 2×5 RGB: rows filtered None, Sub, Up, Average, Paeth; pixels chosen so each filter matters.
    const rows = [
      [0, 10, 20, 30, 40, 50, 60],
      [1, 5, 5, 5, 5, 5, 5], // Sub: second pixel = first + 5
      [2, 1, 1, 1, 1, 1, 1], // Up: previous + 1
      [3, 2, 2, 2, 2, 2, 2],
      [4, 0, 0, 0, 0, 0, 0], // Paeth with zero residual
    ].flat();
    const image = await decode(pngFromIdat(2, 5, [await deflate(new Uint8Array(rows))]));
    const pixel = (x: number, y: number) => Array.from(image.data.subarray((y * 2 + x) * 4, (y * 2 + x) * 4 + 4));
    expect(pixel(1, 0)).toEqual([40, 50, 60, 255]);
    expect(pixel(1, 1)).toEqual([5 + 5, 5 + 5, 5 + 5, 255]);
    expect(pixel(0, 2)).toEqual([6, 6, 6, 255]);
    expect(pixel(0, 3)).toEqual([2 + 3, 2 + 3, 2 + 3, 255]); // (left 0 + up 6) >> 1 = 3
    expect(pixel(1, 4)).toEqual(pixel(1, 3)); // Paeth predicts from above here
  });

  it("stops inflating at the declared size (a zlib bomb in a small PNG costs nothing)", async () => {
    const bomb = await deflate(new Uint8Array(64 * 1024 * 1024)); // 64 MB of zeros, ~64 KB compressed
    // A wrong Adler-32 at the very end: only a decoder that inflated all 64 MB would see it.
    bomb[bomb.length - 1] ^= 0xff;
    const image = await decode(pngFromIdat(4, 4, [bomb]));
    expect(image.data.length).toBe(4 * 4 * 4);
    // The checksum is checked when the data is read to its end (so the test above means something).
    const whole = new Response(new Blob([bomb]).stream().pipeThrough(new DecompressionStream("deflate")));
    await expect(whole.arrayBuffer()).rejects.toThrow();
  });

  it.each([
    ["missing IDAT", async () => pngFromIdat(4, 4, [])],
    ["truncated data", async () => pngFromIdat(4, 4, [await deflate(new Uint8Array(20))])],
    ["unknown filter", async () => pngFromIdat(1, 1, [await deflate(new Uint8Array([9, 1, 2, 3]))])],
    ["not zlib", async () => pngFromIdat(4, 4, [new Uint8Array(100).fill(7)])],
    ["no IEND", async () => pngFromIdat(4, 4, [await deflate(new Uint8Array(4 * 13))]).slice(0, -12)],
  ])("refuses %s as corrupt", async (_name, make) => {
    const error = await decode(await make()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageError);
    expect((error as ImageError).reason).toBe("corrupt");
  });
});
