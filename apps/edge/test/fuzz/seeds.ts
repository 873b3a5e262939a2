// Seed files for the decoder fuzz beyond the Pillow vectors: the variants those lack
// (progressive JPEG, 4:4:4 JPEG, an animated GIF, a 16-bit interlaced PNG is among the vectors).
import type { ImageFormat } from "../../src/images/sniff";
import { noisyJpeg } from "../helpers/big-images";
import { animatedGif, png } from "../helpers/images";

export async function generatedSeeds(): Promise<Record<ImageFormat, Uint8Array[]>> {
  return {
    jpeg: [
      await noisyJpeg(96, 64, { quality: 90, amplitude: 64, progressive: true, fullChroma: true }),
      await noisyJpeg(80, 48, { quality: 80, amplitude: 32, progressive: true }),
      await noisyJpeg(64, 64, { quality: 85, amplitude: 32, fullChroma: true }),
    ],
    png: [await png(48, 32)],
    webp: [],
    gif: [animatedGif(24, 16, [0xff0000, 0x00ff00, 0x0000ff, 0xffffff])],
  };
}

/** Vector files by format, from their names (`jpeg-…`, `png-…`, `webp-…`, `gif-…`). */
export function seedsByFormat(files: Record<string, Uint8Array>): Record<ImageFormat, Uint8Array[]> {
  const out: Record<ImageFormat, Uint8Array[]> = { jpeg: [], png: [], webp: [], gif: [] };
  for (const [name, bytes] of Object.entries(files)) {
    const format = name.split("/").pop()!.split("-")[0] as ImageFormat;
    if (format in out) out[format].push(bytes);
  }
  return out;
}

export function mergeSeeds(...sets: Record<ImageFormat, Uint8Array[]>[]): Record<ImageFormat, Uint8Array[]> {
  const out: Record<ImageFormat, Uint8Array[]> = { jpeg: [], png: [], webp: [], gif: [] };
  for (const set of sets) for (const f of Object.keys(out) as ImageFormat[]) out[f].push(...set[f]);
  return out;
}
