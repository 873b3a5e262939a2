// Loads the Pillow reference vectors written by test/vectors/make_vectors.py: the source images,
// Pillow's expected 224×224×3 output (stored as lossless PNG, checked against its sha256) and,
// for lossy formats, Pillow's decoded pixels.
import { decodePixels } from "../../src/images/decode";
import { readHeader } from "../../src/images/dimensions";
import { sha256Hex } from "../../src/images/preprocess";
import manifest from "../vectors/manifest.json";

export interface Vector {
  name: string;
  image: string;
  expected: string;
  pillowMode: string;
  width: number;
  height: number;
  sha256: string;
  decoded?: string;
  decodedSha256?: string;
}

export const PILLOW_VERSION: string = manifest.pillow;
export const VECTORS: Vector[] = manifest.vectors;

// Inlined by Vite as data: URLs (see vectors/data-modules.d.ts), decoded once.
const files = import.meta.glob<string>("../vectors/{images,expected}/*", {
  eager: true,
  import: "default",
  query: "?inline",
});
const cache = new Map<string, Uint8Array>();

/** A fresh copy of a vector file's bytes. */
export function vectorFile(path: string): Uint8Array {
  let bytes = cache.get(path);
  if (!bytes) {
    const dataUrl = files[`../vectors/${path}`];
    if (!dataUrl) throw new Error(`missing test vector file ${path}`);
    bytes = Uint8Array.from(atob(dataUrl.slice(dataUrl.indexOf(",") + 1)), (c) => c.charCodeAt(0));
    cache.set(path, bytes);
  }
  return bytes.slice();
}

/** An RGB reference stored as PNG, decoded and verified bit-exact against its recorded hash. */
export async function referenceRgb(path: string, sha256: string): Promise<Uint8Array> {
  const png = vectorFile(path).slice();
  const { image } = await decodePixels(png, "png", readHeader(png, "png"));
  const rgb = new Uint8Array(image.width * image.height * 3);
  for (let p = 0, o = 0; o < rgb.length; p += 4, o += 3) rgb.set(image.data.subarray(p, p + 3), o);
  if ((await sha256Hex(rgb)) !== sha256) throw new Error(`reference ${path} does not match its sha256`);
  return rgb;
}

export interface DiffStats {
  max: number;
  mean: number;
  differing: number; // channel values that differ at all
}

export function diffStats(a: Uint8Array, b: Uint8Array): DiffStats {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  let sum = 0;
  let differing = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > max) max = d;
    if (d) differing++;
    sum += d;
  }
  return { max, mean: sum / a.length, differing };
}
