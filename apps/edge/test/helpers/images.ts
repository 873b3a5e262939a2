// Tiny image encoders for tests: PNGs of any size (zlib via CompressionStream) or with a
// forged header, and GIFs (omggif's writer) with several frames.
import { GifWriter } from "omggif";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** zlib-wrapped deflate, as PNG's IDAT holds it. */
export async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function ihdr(width: number, height: number, colorType = 2): Uint8Array {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  data.set([8, colorType, 0, 0, 0], 8); // 8-bit; 2 = RGB
  return chunk("IHDR", data);
}

const SIGNATURE = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

/** A PNG from already-compressed IDAT payloads (one chunk each), 8-bit, any color type. */
export function pngFromIdat(width: number, height: number, idat: Uint8Array[], colorType = 2): Uint8Array {
  return concat([
    SIGNATURE,
    ihdr(width, height, colorType),
    ...idat.map((d) => chunk("IDAT", d)),
    chunk("IEND", new Uint8Array()),
  ]);
}

/** An RGB PNG filled by `color(x, y)`. */
export async function png(width: number, height: number, color = (x: number, y: number) => [x, y, 128]) {
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let y = 0, o = 0; y < height; y++) {
    raw[o++] = 0; // filter: none
    for (let x = 0; x < width; x++, o += 3)
      raw.set(
        color(x, y).map((v) => v & 255),
        o,
      );
  }
  return pngFromIdat(width, height, [await deflate(raw)]);
}

/** A PNG whose header claims width × height but carries almost no data (a decompression bomb). */
export function forgedPng(width: number, height: number): Uint8Array {
  return concat([SIGNATURE, ihdr(width, height), chunk("IDAT", new Uint8Array([0x78, 0x9c, 0x03, 0x00, 0, 0, 0, 1]))]);
}

/** A GIF with one solid-color frame per entry of `colors` (RGB ints). */
export function animatedGif(width: number, height: number, colors: number[]): Uint8Array {
  const buffer = new Uint8Array(1024 + width * height * colors.length * 2);
  const writer = new GifWriter(buffer, width, height, { loop: 0 });
  for (const color of colors) {
    writer.addFrame(0, 0, width, height, new Array(width * height).fill(0), { palette: [color, 0x000000], delay: 10 });
  }
  return buffer.slice(0, writer.end());
}

export function dataUrl(bytes: Uint8Array, type = "image/png"): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `data:${type};base64,${btoa(binary)}`;
}
