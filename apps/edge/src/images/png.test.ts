import { describe, expect, it } from "vitest";
import { ImageError } from "./errors";
import { decodePng } from "./png";

// Minimal PNG builder; CRCs are left zero because the decoder (like Pillow for IDAT) skips them.
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  new DataView(out.buffer).setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  return out;
}

function png(width: number, height: number, idat: Uint8Array[], colorType = 2): Uint8Array {
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, colorType, 0, 0, 0], 8);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    ...idat.map((d) => chunk("IDAT", d)),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

async function zlib(raw: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([raw]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

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
    const image = await decodePng(png(2, 5, [await zlib(new Uint8Array(rows))]));
    const pixel = (x: number, y: number) => Array.from(image.data.subarray((y * 2 + x) * 4, (y * 2 + x) * 4 + 4));
    expect(pixel(1, 0)).toEqual([40, 50, 60, 255]);
    expect(pixel(1, 1)).toEqual([5 + 5, 5 + 5, 5 + 5, 255]);
    expect(pixel(0, 2)).toEqual([6, 6, 6, 255]);
    expect(pixel(0, 3)).toEqual([2 + 3, 2 + 3, 2 + 3, 255]); // (left 0 + up 6) >> 1 = 3
    expect(pixel(1, 4)).toEqual(pixel(1, 3)); // Paeth predicts from above here
  });

  it("stops inflating at the declared size (a zlib bomb in a small PNG costs nothing)", async () => {
    const bomb = await zlib(new Uint8Array(64 * 1024 * 1024)); // 64 MB of zeros, ~64 KB compressed
    const started = Date.now();
    const image = await decodePng(png(4, 4, [bomb]));
    expect(image.data.length).toBe(4 * 4 * 4);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it.each([
    ["missing IDAT", async () => png(4, 4, [])],
    ["truncated data", async () => png(4, 4, [await zlib(new Uint8Array(20))])],
    ["unknown filter", async () => png(1, 1, [await zlib(new Uint8Array([9, 1, 2, 3]))])],
    ["not zlib", async () => png(4, 4, [new Uint8Array(100).fill(7)])],
    ["no IEND", async () => png(4, 4, [await zlib(new Uint8Array(4 * 13))]).slice(0, -12)],
  ])("refuses %s as corrupt", async (_name, make) => {
    const error = await decodePng(await make()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageError);
    expect((error as ImageError).reason).toBe("corrupt");
  });
});
