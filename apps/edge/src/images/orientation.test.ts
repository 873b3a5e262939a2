import { describe, expect, it } from "vitest";
import { vectorFile } from "../../test/helpers/vectors";
import manifest from "../../test/vectors/manifest.json";
import { readJpegOrientation } from "./exif";
import { materialize, orientedView } from "./orientation";

describe("applyOrientation matches Pillow's ImageOps.exif_transpose", () => {
  // Source: a 3×2 image whose pixel i holds i (in R); the table says which pixel lands where.
  const source = new Uint8Array(6 * 4);
  for (let i = 0; i < 6; i++) source.set([i, 100, 200, 255], i * 4);

  for (const [orientation, want] of Object.entries(manifest.orientations)) {
    it(`orientation ${orientation}`, () => {
      const out = materialize(orientedView({ data: source.slice(), width: 3, height: 2 }, Number(orientation)));
      expect([out.width, out.height]).toEqual([want.width, want.height]);
      expect(Array.from({ length: 6 }, (_, i) => out.data[i * 4])).toEqual(want.source);
      expect(out.data[1]).toBe(100); // whole pixels move, channels stay together
    });
  }
});

describe("readJpegOrientation", () => {
  it("reads orientation 6 from a Pillow-written EXIF block", () => {
    expect(readJpegOrientation(vectorFile("images/jpeg-exif6.jpg"))).toBe(6);
  });

  it("defaults to 1 without EXIF", () => {
    expect(readJpegOrientation(vectorFile("images/jpeg-large.jpg"))).toBe(1);
  });

  it("reads big-endian TIFF headers and ignores out-of-range values", () => {
    const jpeg = (value: number) => {
      const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, value, 0, 0, 0, 0, 0, 0];
      const app1 = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
      const len = app1.length + 2;
      return new Uint8Array([0xff, 0xd8, 0xff, 0xe1, len >> 8, len & 0xff, ...app1, 0xff, 0xd9]);
    };
    expect(readJpegOrientation(jpeg(8))).toBe(8);
    expect(readJpegOrientation(jpeg(9))).toBe(1);
  });
});
