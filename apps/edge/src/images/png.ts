// PNG decoder on workerd's native zlib (DecompressionStream). Replaces a wasm codec for two
// reasons: the inflated size is capped at what IHDR declares (a zlib bomb inside a small PNG
// cannot allocate more), and all memory is ordinary GC'd JS memory (a wasm heap never shrinks).
import { ImageError } from "./errors";
import type { RgbaImage } from "./orientation";
import { type PngLayout, pngRowToRgba, unfilterRow } from "./png-rows";

const ADAM7 = [
  // [x0, y0, dx, dy] of each interlace pass
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

function corrupt(detail: string): ImageError {
  return new ImageError("corrupt", `The PNG image could not be decoded: ${detail}.`);
}

interface PngChunks {
  layout: PngLayout;
  width: number;
  height: number;
  interlaced: boolean;
  idat: Uint8Array[];
}

function readChunks(bytes: Uint8Array): PngChunks {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let header: Omit<PngChunks, "idat"> | undefined;
  const palette = new Uint8Array(0);
  for (let p = 8; ; ) {
    if (p + 12 > bytes.length) throw corrupt("the file is truncated");
    const length = view.getUint32(p);
    const type = String.fromCharCode(bytes[p + 4], bytes[p + 5], bytes[p + 6], bytes[p + 7]);
    const data = p + 8;
    if (length > bytes.length - data - 4) throw corrupt("the file is truncated");
    if (type === "IHDR") {
      const [depth, colorType, compression, filter, interlace] = bytes.subarray(data + 8, data + 13);
      if (compression !== 0 || filter !== 0 || interlace > 1) throw corrupt("unknown compression, filter or interlace");
      const layout = { colorType, depth, palette };
      header = { layout, width: view.getUint32(data), height: view.getUint32(data + 4), interlaced: interlace === 1 };
    } else if (type === "PLTE" && header) {
      header.layout.palette = bytes.subarray(data, data + length);
    } else if (type === "IDAT") {
      idat.push(bytes.subarray(data, data + length));
    } else if (type === "IEND") {
      break;
    }
    p = data + length + 4; // chunk CRCs are not checked (Pillow does not check IDAT's either)
  }
  if (!header) throw corrupt("IHDR is missing");
  if (header.layout.colorType === 3 && header.layout.palette.length === 0) throw corrupt("PLTE is missing");
  if (idat.length === 0) throw corrupt("IDAT is missing");
  return { ...header, idat };
}

/** Bytes per row (without the filter byte) for `width` pixels. */
function rowBytes(layout: PngLayout, width: number): number {
  return Math.ceil((width * bitsPerPixel(layout)) / 8);
}

function bitsPerPixel({ colorType, depth }: PngLayout): number {
  const channels = [1, 0, 3, 1, 2, 0, 4][colorType];
  return channels * depth;
}

/** Inflates exactly `size` bytes from the IDAT stream; trailing data is ignored, as Pillow does. */
async function inflate(idat: Uint8Array[], size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  const stream = new DecompressionStream("deflate");
  const writer = stream.writable.getWriter();
  const writing = (async () => {
    for (const chunk of idat) await writer.write(chunk);
    await writer.close();
  })().catch(() => undefined); // errors surface on the reading side
  const reader = stream.readable.getReader();
  let filled = 0;
  try {
    while (filled < size) {
      const { done, value } = await reader.read();
      if (done) break;
      const n = Math.min(value.byteLength, size - filled);
      out.set(value.subarray(0, n), filled);
      filled += n;
    }
  } catch (cause) {
    if (filled < size) throw new ImageError("corrupt", "The PNG image data is corrupt.", { cause });
  } finally {
    reader.cancel().catch(() => undefined);
    await writing;
  }
  if (filled < size) throw corrupt("the image data is truncated");
  return out;
}

export async function decodePng(bytes: Uint8Array): Promise<RgbaImage> {
  const { layout, width, height, interlaced, idat } = readChunks(bytes);
  const passes = interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  const sizes = passes.map(([x0, y0, dx, dy]) => {
    const w = Math.ceil((width - x0) / dx);
    const h = Math.ceil((height - y0) / dy);
    return { w, h, stride: w > 0 && h > 0 ? rowBytes(layout, w) : 0 };
  });
  const raw = await inflate(
    idat,
    sizes.reduce((sum, s) => sum + (s.w > 0 ? s.h * (s.stride + 1) : 0), 0),
  );
  const rgba = new Uint8Array(width * height * 4);
  const bpp = Math.max(1, bitsPerPixel(layout) >> 3);
  let offset = 0;
  passes.forEach(([x0, y0, dx, dy], i) => {
    const { w, h, stride } = sizes[i];
    if (w <= 0 || h <= 0) return;
    let previous: Uint8Array | undefined;
    for (let y = 0; y < h; y++) {
      const row = raw.subarray(offset + 1, offset + 1 + stride);
      if (!unfilterRow(raw[offset], row, previous, bpp)) throw corrupt(`unknown row filter ${raw[offset]}`);
      pngRowToRgba(layout, row, w, rgba, ((y0 + y * dy) * width + x0) * 4, dx * 4);
      previous = row;
      offset += stride + 1;
    }
  });
  return { data: rgba, width, height };
}
