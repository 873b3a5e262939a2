// End-to-end agreement with Pillow: each vector goes through preprocessImage inside workerd and
// is compared with open_clip's Pillow transform (test/vectors/make_vectors.py).
import { afterAll, describe, expect, it } from "vitest";
import { decodePixels } from "../../src/images/decode";
import { readHeader } from "../../src/images/dimensions";
import { readJpegOrientation } from "../../src/images/exif";
import { materialize, orientedView } from "../../src/images/orientation";
import { preprocessImage } from "../../src/images/preprocess";
import { sniffFormat } from "../../src/images/sniff";
import { diffStats, PILLOW_VERSION, referenceRgb, VECTORS, vectorFile } from "../helpers/vectors";

// Lossy decoders are separate libraries from Pillow's (mozjpeg/libwebp builds in wasm); measured
// bit-exact on these vectors, but allowed ±1 so a regenerated vector set can drift by a rounding.
const LOSSY = new Set(
  VECTORS.filter((v) => /\.(jpg|webp)$/.test(v.image) && v.name !== "webp-lossless-alpha").map((v) => v.name),
);

// One summary table instead of a line per test: max / mean absolute difference per vector.
const report: string[] = [];
afterAll(() =>
  console.log(`Pillow ${PILLOW_VERSION} agreement (max / mean abs diff, values differing)\n${report.join("\n")}`),
);
const row = (label: string, s: { max: number; mean: number; differing: number }) =>
  report.push(`  ${label.padEnd(40)} ${s.max} / ${s.mean.toFixed(4)}  (${s.differing})`);

describe(`preprocessImage agrees with Pillow ${PILLOW_VERSION}`, () => {
  for (const vector of VECTORS) {
    it(vector.name, async () => {
      const result = await preprocessImage(vectorFile(vector.image).slice());
      const expected = await referenceRgb(vector.expected, vector.sha256);
      const stats = diffStats(result.rgb, expected);
      row(`${vector.name} (224×224×3 output)`, stats);
      expect([result.width, result.height]).toEqual([vector.width, vector.height]);
      expect(result.rgb.length).toBe(224 * 224 * 3);
      if (LOSSY.has(vector.name)) {
        expect(stats.max).toBeLessThanOrEqual(1); // decoder builds (libjpeg-turbo vs mozjpeg) may drift by 1
      } else {
        expect(result.sha256).toBe(vector.sha256); // lossless input: bit-exact
      }
    });
  }
});

describe("decoded pixels vs Pillow (lossy formats)", () => {
  for (const vector of VECTORS.filter((v) => v.decoded)) {
    it(vector.name, async () => {
      const bytes = vectorFile(vector.image).slice();
      const format = sniffFormat(bytes)!;
      const decoded = await decodePixels(bytes, format, readHeader(bytes, format));
      const image = materialize(orientedView(decoded.image, format === "jpeg" ? readJpegOrientation(bytes) : 1));
      const rgb = new Uint8Array(image.width * image.height * 3);
      for (let p = 0, o = 0; o < rgb.length; p += 4, o += 3) rgb.set(image.data.subarray(p, p + 3), o);
      const stats = diffStats(rgb, await referenceRgb(vector.decoded!, vector.decodedSha256!));
      row(`${vector.name} (decoded pixels)`, stats);
      expect(stats.max).toBeLessThanOrEqual(1);
    });
  }
});
