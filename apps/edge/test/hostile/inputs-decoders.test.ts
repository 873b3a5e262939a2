// Issue #15 item 2: the limits hold for what is decoded, not what the header claims. A PNG whose
// later IHDR contradicts the checked one, a GIF of very many frames, and a seeded fuzz run of
// every decoder: every outcome is a result or a clean ImageError, and every decode that ran
// measures within the decode budget.
import { GifWriter } from "omggif";
import { describe, expect, it } from "vitest";
import { ImageError } from "../../src/images/errors";
import { type DecodeReport, preprocessImage } from "../../src/images/preprocess";
import { fuzzDecoders } from "../fuzz/decoder-fuzz";
import { generatedSeeds, mergeSeeds, seedsByFormat } from "../fuzz/seeds";
import { noisyJpeg } from "../helpers/big-images";
import { deflate, pngFromIdat } from "../helpers/images";
import { VECTORS, vectorFile } from "../helpers/vectors";

async function outcome(bytes: Uint8Array, maxDecodeBytes = 112 * 1024 * 1024) {
  const reports: DecodeReport[] = [];
  try {
    await preprocessImage(bytes, { limits: { maxDecodeBytes }, onDecoded: (r) => reports.push(r) });
    return { ok: true, reports };
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    return { ok: false, reason: error.reason, reports };
  }
}

/** A chunk with a correct CRC is not needed: the decoder does not check CRCs (as Pillow for IDAT). */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  new DataView(out.buffer).setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  return out;
}

describe("decoders allocate what was checked (issue #15 item 2)", () => {
  it("refuses a PNG whose later IHDR claims another size instead of allocating it", async () => {
    // Checked as 16×16; a second IHDR says 4000×4000 and the data (48 MB of zero rows, 47 KB
    // deflated) fills that: a decoder obeying it allocated a 64 MB canvas under an 8 MB budget.
    const idat = await deflate(new Uint8Array(4000 * (1 + 4000 * 3)));
    const small = pngFromIdat(16, 16, [idat]);
    const ihdr = new Uint8Array(13);
    new DataView(ihdr.buffer).setUint32(0, 4000);
    new DataView(ihdr.buffer).setUint32(4, 4000);
    ihdr.set([8, 2, 0, 0, 0], 8);
    const second = chunk("IHDR", ihdr);
    const forged = new Uint8Array(small.length + second.length);
    forged.set(small.subarray(0, 33)); // signature + the checked IHDR
    forged.set(second, 33);
    forged.set(small.subarray(33), 33 + second.length);
    const result = await outcome(forged, 8 * 1024 * 1024);
    for (const r of result.reports) expect(r.measuredBytes).toBeLessThanOrEqual(r.budgetBytes);
    expect(result).toMatchObject({ ok: false, reason: "corrupt" });
  });

  it("decodes a GIF's first frame without indexing the others: many frames cost nothing", async () => {
    // A 16×16 GIF, then a million more one-pixel frames (15 MB): a reader that indexes every
    // frame up front held 146 MB for them (measured in Node), past the 112 MiB budget.
    const buffer = new Uint8Array(4096);
    const writer = new GifWriter(buffer, 16, 16, { palette: [0x000000, 0xffffff] });
    writer.addFrame(0, 0, 16, 16, new Array(256).fill(1));
    const base = buffer.slice(0, writer.end() - 1); // without its trailer
    const extra = [0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00]; // 1×1, index 0
    const frames = 1_000_000;
    const many = new Uint8Array(base.length + extra.length * frames + 1);
    many.set(base);
    for (let i = 0, at = base.length; i < frames; i++, at += extra.length) many.set(extra, at);
    many[many.length - 1] = 0x3b;
    // The same first frame followed by garbage: a reader of every block refused the file.
    const garbage = new Uint8Array(base.length + 64).fill(0x99);
    garbage.set(base);
    for (const file of [many, garbage]) {
      const result = await outcome(file);
      expect(result.ok).toBe(true);
      expect(result.reports).toHaveLength(1);
      expect(result.reports[0].measuredBytes).toBeLessThan(file.length + 16 * 16 * 5 + 1024);
    }
  });

  it("refuses a GIF whose LZW codes form a cycle instead of looping forever", async () => {
    // Found by the fuzz (a mutated vector hung omggif's decoder). 4-bit codes, minimum size 3
    // (clear 8, end 9, new entries from 10): 0 0 10 0 make entry 12 = 10 + "0"; after the clear
    // code the stale 12 comes first, then 0 makes entry 10 = 12 + "0": 10 → 12 → 10 → … and the
    // code 10 that follows chased that chain forever.
    const codes = [0, 0, 10, 0, 8, 12, 0, 10, 9];
    const data = codes.reduce<number[]>((out, code, i) => {
      if (i % 2 === 0) out.push(code);
      else out[out.length - 1] |= code << 4;
      return out;
    }, []);
    const palette = Array.from({ length: 24 }, (_, i) => i * 10);
    const gif = new Uint8Array([
      ...[0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 4, 0, 4, 0, 0x82, 0, 0, ...palette],
      ...[0x2c, 0, 0, 0, 0, 4, 0, 4, 0, 0, 3, data.length, ...data, 0, 0x3b],
    ]);
    expect(await outcome(gif)).toMatchObject({ ok: false, reason: "corrupt" });
  });

  it("counts a progressive 4:4:4 JPEG's three coefficient planes, so it stays within the budget", async () => {
    // Found measuring: 3000×2500, 4:4:4, progressive measured 118 MiB (DecodeReport) against an
    // estimate of 91 from the 4:2:0 figure, past the 112 MiB budget.
    const bytes = await noisyJpeg(3000, 2500, { quality: 90, amplitude: 64, progressive: true, fullChroma: true });
    const result = await outcome(bytes);
    for (const r of result.reports) expect(r.measuredBytes).toBeLessThanOrEqual(r.budgetBytes);
    expect(result).toMatchObject({ ok: false, reason: "too_large" });
  }, 120_000);

  it("fuzz (seed 1, 4 s): no crash, no decode past the budget, in every format", async () => {
    const vectors = Object.fromEntries(VECTORS.map((v) => [v.image, vectorFile(v.image)]));
    const seeds = mergeSeeds(seedsByFormat(vectors), await generatedSeeds());
    const figures = await fuzzDecoders({
      seeds,
      seconds: 4,
      seed: 1,
      minCasesPerFormat: 8,
      limits: { maxDecodeBytes: 32 * 1024 * 1024 },
    });
    for (const [format, f] of Object.entries(figures)) {
      expect({ format, crashes: f.crashes, overBudget: f.overBudget, firstCrash: f.firstCrash }).toEqual({
        format,
        crashes: 0,
        overBudget: 0,
        firstCrash: undefined,
      });
      expect(f.cases).toBeGreaterThan(5);
    }
  }, 60_000);
});
