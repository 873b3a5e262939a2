import { GifWriter } from "omggif";
import { describe, expect, it } from "vitest";
import { ImageError } from "./errors";
import { decodeGifFirstFrame } from "./gif";

/** A 4×3 GIF with one 2×2 frame at (1, 1); palette: 0 red, 1 green, 2 blue, 3 white. */
function gif(options: { transparent?: number } = {}): Uint8Array {
  const buf = new Uint8Array(1024);
  const writer = new GifWriter(buf, 4, 3, { palette: [0xff0000, 0x00ff00, 0x0000ff, 0xffffff] });
  writer.addFrame(1, 1, 2, 2, [1, 2, 3, 2], options);
  return buf.slice(0, writer.end());
}

const pixel = (data: Uint8Array, x: number, y: number, width = 4) =>
  Array.from(data.subarray((y * width + x) * 4, (y * width + x) * 4 + 3));

describe("decodeGifFirstFrame", () => {
  it("composes the frame on a logical screen filled with colour index 0", () => {
    const { image, mode } = decodeGifFirstFrame(gif());
    expect([image.width, image.height, mode]).toEqual([4, 3, "palette"]);
    expect(pixel(image.data, 0, 0)).toEqual([255, 0, 0]); // outside the frame: index 0
    expect(pixel(image.data, 1, 1)).toEqual([0, 255, 0]);
    expect(pixel(image.data, 2, 2)).toEqual([0, 0, 255]);
  });

  it("fills with the transparent index and keeps its colour (Pillow drops alpha)", () => {
    const { image } = decodeGifFirstFrame(gif({ transparent: 2 }));
    expect(pixel(image.data, 0, 0)).toEqual([0, 0, 255]); // fill = transparent index 2
    expect(pixel(image.data, 2, 1)).toEqual([0, 0, 255]); // a transparent pixel shows the fill
    expect(pixel(image.data, 1, 2)).toEqual([255, 255, 255]);
  });

  it("refuses a frame that extends beyond the logical screen", () => {
    const bytes = gif();
    bytes[6] = 2; // logical screen width 4 → 2
    expect(() => decodeGifFirstFrame(bytes)).toThrow(ImageError);
  });

  it("refuses a GIF without any colour table as unsupported", () => {
    const withTable = gif();
    const entries = 2 << (withTable[10] & 7);
    const bytes = new Uint8Array([...withTable.subarray(0, 13), ...withTable.subarray(13 + 3 * entries)]);
    bytes[10] &= 0x78; // no global colour table
    const error = (() => {
      try {
        decodeGifFirstFrame(bytes);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ImageError);
    expect((error as ImageError).reason).toBe("unsupported_format");
  });
});
