// Seeded, time-bounded fuzzing of the image pipeline's decoders (PNG, JPEG incl. progressive,
// WebP, GIF): mutated files go through preprocessImage, and every outcome must be a result or an
// ImageError (a 4xx), never anything else (a 5xx), and every decode that ran must measure within
// the decode budget. Shared by the short run in the test suite and `npm run fuzz -w @mmgpt/edge`.
import { ImageError } from "../../src/images/errors";
import type { ImageLimits } from "../../src/images/limits";
import { type DecodeReport, preprocessImage } from "../../src/images/preprocess";
import type { ImageFormat } from "../../src/images/sniff";
import { lcg } from "../helpers/big-images";

export interface FormatFigures {
  cases: number;
  decoded: number;
  /** ImageError reasons (limits by name) and how often. */
  refused: Record<string, number>;
  /** Anything thrown that is not an ImageError: would be a 500. */
  crashes: number;
  /** Largest measured decode and the budget it ran under. */
  maxMeasuredBytes: number;
  maxEstimatedBytes: number;
  overBudget: number;
  budgetBytes: number;
  firstCrash?: string;
  firstOverBudget?: string;
}

export interface FuzzOptions {
  seeds: Record<ImageFormat, Uint8Array[]>;
  seconds: number;
  seed: number;
  limits?: Partial<ImageLimits>;
  /** Cases per format run even past `seconds` (a loaded machine must still test something). */
  minCasesPerFormat?: number;
  /** Called after each case that took longer than a second (the CLI prints them). */
  onSlowCase?: (format: ImageFormat, milliseconds: number, outcome: string) => void;
}

type Random = () => number;
const below = (random: Random, n: number) => random() % Math.max(1, n);

/** Header fields whose values decide allocations: overwritten with large or odd values. */
function dimensionOffsets(bytes: Uint8Array, format: ImageFormat): number[] {
  if (format === "png") return [16, 17, 18, 19, 20, 21, 22, 23];
  if (format === "gif") {
    // Logical screen and, when found, the first image descriptor's size.
    const offsets = [6, 7, 8, 9];
    const descriptor = bytes.indexOf(0x2c, 13);
    if (descriptor > 0) offsets.push(descriptor + 5, descriptor + 6, descriptor + 7, descriptor + 8);
    return offsets;
  }
  if (format === "webp") return [24, 25, 26, 27, 28, 29];
  // JPEG: the SOFn payload's height and width.
  for (let p = 2; p + 9 < bytes.length; p++) {
    if (bytes[p] === 0xff && bytes[p + 1] >= 0xc0 && bytes[p + 1] <= 0xc2) return [p + 5, p + 6, p + 7, p + 8];
  }
  return [];
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

/** A PNG's chunks as [start, end) byte ranges (length, type, data, CRC), up to IEND or a bad length. */
function pngChunks(bytes: Uint8Array): Array<[number, number]> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Array<[number, number]> = [];
  for (let p = 8; p + 12 <= bytes.length; ) {
    const end = p + 12 + view.getUint32(p);
    if (end > bytes.length) break;
    chunks.push([p, end]);
    p = end;
  }
  return chunks;
}

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * PNG mutations that keep the zlib stream whole (byte-level ones almost always break it, so the
 * decoder itself was rarely reached): a second IHDR of other dimensions inserted after a random
 * chunk (later chunks contradicting the checked header), or the IHDR reinterpreted with another
 * depth and colour type at the width that keeps the rows' byte length, so the same data decodes
 * as another, often much wider, image.
 */
function mutatePngChunks(input: Uint8Array, random: Random): Uint8Array {
  const chunks = pngChunks(input);
  const ihdr = chunks.find(([p]) => String.fromCharCode(...input.subarray(p + 4, p + 8)) === "IHDR");
  if (!ihdr || chunks.length < 2) return input;
  const header = input.slice(ihdr[0], ihdr[1]);
  const view = new DataView(header.buffer);
  const [width, depth, colorType, interlace] = [view.getUint32(8), header[16], header[17], header[20]];
  const newDepth = [1, 2, 4, 8, 16][below(random, 5)];
  const newType = [0, 2, 4, 6][below(random, 4)];
  const bits = (d: number, t: number) => d * (PNG_CHANNELS[t] ?? 1);
  const rowBits = Math.ceil((width * bits(depth, colorType)) / 8) * 8;
  if (interlace === 0 && (random() & 1) === 1 && (newType === 0 || newDepth >= 8)) {
    header[16] = newDepth;
    header[17] = newType;
    view.setUint32(8, Math.max(1, Math.floor(rowBits / bits(newDepth, newType))));
    return Uint8Array.from([...input.subarray(0, ihdr[0]), ...header, ...input.subarray(ihdr[1])]);
  }
  view.setUint32(8, 1 + below(random, 1 << (8 + below(random, 8))));
  view.setUint32(12, 1 + below(random, 1 << (8 + below(random, 8))));
  const after = chunks[below(random, chunks.length - 1)][1];
  return Uint8Array.from([...input.subarray(0, after), ...header, ...input.subarray(after)]);
}

/** One mutation of `input`; a few kinds, each aimed at a way decoders over-allocate. */
function mutate(input: Uint8Array, format: ImageFormat, random: Random): Uint8Array {
  const bytes = input.slice();
  if (format === "png" && below(random, 2) === 0) return mutatePngChunks(bytes, random);
  switch (below(random, 7)) {
    case 0: // bit flips
      for (let n = 1 + below(random, 8); n > 0; n--) bytes[below(random, bytes.length)] ^= 1 << below(random, 8);
      return bytes;
    case 1: // interesting bytes
      for (let n = 1 + below(random, 4); n > 0; n--) {
        bytes[below(random, bytes.length)] = INTERESTING[below(random, INTERESTING.length)];
      }
      return bytes;
    case 2: {
      // a size field made large or odd
      const offsets = dimensionOffsets(bytes, format);
      for (const at of offsets) if (random() & 1) bytes[at] = INTERESTING[below(random, INTERESTING.length)];
      return bytes;
    }
    case 3: // truncation
      return bytes.subarray(0, Math.max(16, below(random, bytes.length)));
    case 4: {
      // a range repeated (chunks, frames, scans twice or many times)
      const start = below(random, bytes.length);
      const length = 1 + below(random, Math.min(4096, bytes.length - start));
      const times = 1 + below(random, 64);
      const out = new Uint8Array(bytes.length + length * times);
      out.set(bytes.subarray(0, start + length));
      for (let t = 1; t <= times; t++) out.set(bytes.subarray(start, start + length), start + length * t);
      out.set(bytes.subarray(start + length), start + length * (times + 1));
      return out;
    }
    case 5: {
      // a 32-bit length or size field somewhere set to a large value
      const at = below(random, Math.max(1, bytes.length - 4));
      bytes.set([0x00, below(random, 256), 0xff, 0xff], at);
      return bytes;
    }
    default: {
      // a range from elsewhere spliced in (a header before the data, a table twice)
      const from = below(random, bytes.length);
      const to = below(random, bytes.length);
      const length = below(random, Math.min(512, bytes.length - Math.max(from, to)));
      bytes.copyWithin(to, from, from + length);
      return bytes;
    }
  }
}

function emptyFigures(budgetBytes: number): FormatFigures {
  return {
    cases: 0,
    decoded: 0,
    refused: {},
    crashes: 0,
    maxMeasuredBytes: 0,
    maxEstimatedBytes: 0,
    overBudget: 0,
    budgetBytes,
  };
}

/** Runs mutated seeds round-robin over the formats until `seconds` have passed. */
export async function fuzzDecoders(options: FuzzOptions): Promise<Record<ImageFormat, FormatFigures>> {
  const random = lcg(options.seed);
  const formats = (Object.keys(options.seeds) as ImageFormat[]).filter((f) => options.seeds[f].length > 0);
  const budget = options.limits?.maxDecodeBytes ?? 112 * 1024 * 1024;
  const figures = Object.fromEntries(formats.map((f) => [f, emptyFigures(budget)])) as Record<
    ImageFormat,
    FormatFigures
  >;
  const deadline = Date.now() + options.seconds * 1000;
  const minRounds = (options.minCasesPerFormat ?? 0) * formats.length;
  for (let round = 0; Date.now() < deadline || round < minRounds; round++) {
    const format = formats[round % formats.length];
    const seeds = options.seeds[format];
    const input = mutate(seeds[below(random, seeds.length)], format, random);
    const f = figures[format];
    f.cases++;
    const onDecoded = (report: DecodeReport) => {
      f.maxMeasuredBytes = Math.max(f.maxMeasuredBytes, report.measuredBytes);
      f.maxEstimatedBytes = Math.max(f.maxEstimatedBytes, report.estimatedBytes);
      if (report.measuredBytes > report.budgetBytes) {
        f.overBudget++;
        f.firstOverBudget ??= `${report.variant} ${report.width}×${report.height}: ${report.measuredBytes} B`;
      }
    };
    const started = Date.now();
    let result = "decoded";
    try {
      await preprocessImage(input, { limits: options.limits, onDecoded });
      f.decoded++;
    } catch (error) {
      if (error instanceof ImageError) {
        result = error.limit ?? error.reason;
        f.refused[result] = (f.refused[result] ?? 0) + 1;
      } else {
        result = "crash";
        f.crashes++;
        f.firstCrash ??= String((error as Error)?.stack ?? error).slice(0, 400);
      }
    }
    const took = Date.now() - started;
    if (took > 1000) options.onSlowCase?.(format, took, result);
  }
  return figures;
}

/** The figures as a table, one line per format. */
export function formatFigures(figures: Record<string, FormatFigures>): string {
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  const lines = ["format  cases  decoded  crashes  over-budget  max measured / estimated / budget (MiB)  refused"];
  for (const [format, f] of Object.entries(figures)) {
    const refused = Object.entries(f.refused)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    lines.push(
      `${format.padEnd(6)}  ${String(f.cases).padStart(5)}  ${String(f.decoded).padStart(7)}  ${String(f.crashes).padStart(7)}  ${String(f.overBudget).padStart(11)}  ${mb(f.maxMeasuredBytes).padStart(8)} / ${mb(f.maxEstimatedBytes)} / ${mb(f.budgetBytes)}  ${refused}`,
    );
    if (f.firstCrash) lines.push(`  first crash: ${f.firstCrash}`);
    if (f.firstOverBudget) lines.push(`  first over budget: ${f.firstOverBudget}`);
  }
  return lines.join("\n");
}
