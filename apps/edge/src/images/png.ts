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
      // The limits were checked against the first IHDR: a second one (whose size would decide
      // the allocation) is refused, not obeyed.
      if (header) throw corrupt("it has a second IHDR chunk");
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

/** Compressed bytes handed to the inflater at a time (≤ ~4 MB of output each). */
const INFLATE_SLICE = 4096;

/**
 * Streams the inflated IDAT data to `consume` until it reports the image complete; whatever
 * follows is never inflated (Pillow ignores it too). Returns false if the data ran out first.
 */
async function inflate(idat: Uint8Array[], consume: (chunk: Uint8Array) => boolean): Promise<boolean> {
  const stream = new DecompressionStream("deflate");
  const writer = stream.writable.getWriter();
  // Fed in slices: DecompressionStream inflates each written chunk whole, whether or not its
  // output is read, so one 64 KB IDAT of zeros would inflate to 64 MB before the reader stops.
  // A slice inflates to at most ~1032 times its size (deflate's limit), and the next slice is
  // written only when the reader has taken the output.
  const writing = (async () => {
    for (const chunk of idat) {
      for (let at = 0; at < chunk.length; at += INFLATE_SLICE)
        await writer.write(chunk.subarray(at, at + INFLATE_SLICE));
    }
    await writer.close();
  })().catch(() => undefined); // errors surface on the reading side
  const reader = stream.readable.getReader();
  let complete = false;
  try {
    while (!complete) {
      const { done, value } = await reader.read();
      if (done) break;
      complete = consume(value);
    }
  } catch (cause) {
    if (cause instanceof ImageError) throw cause;
    throw new ImageError("corrupt", "The PNG image data is corrupt.", { cause });
  } finally {
    reader.cancel().catch(() => undefined);
    await writing;
  }
  return complete;
}

/**
 * Decodes to RGBA row by row as the data inflates: besides the output, only two rows and the
 * inflater's current output chunk are held, so memory is 4 bytes per pixel plus the file.
 * `workingBytes` is what was allocated: output, rows, and the largest inflated chunk.
 */
export async function decodePng(
  bytes: Uint8Array,
  checked: { width: number; height: number },
): Promise<{ image: RgbaImage; workingBytes: number }> {
  const { layout, width, height, interlaced, idat } = readChunks(bytes);
  if (width !== checked.width || height !== checked.height) {
    throw corrupt(`IHDR says ${width}×${height}, not the ${checked.width}×${checked.height} that was checked`);
  }
  const passes = (interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const))
    .map(([x0, y0, dx, dy]) => ({ x0, y0, dx, dy, w: Math.ceil((width - x0) / dx), h: Math.ceil((height - y0) / dy) }))
    .filter((pass) => pass.w > 0 && pass.h > 0); // small interlaced images skip some passes
  const rgba = new Uint8Array(width * height * 4);
  const bpp = Math.max(1, bitsPerPixel(layout) >> 3);
  let passIndex = 0;
  let y = 0; // row within the pass
  let rows: [Uint8Array, Uint8Array] = [new Uint8Array(0), new Uint8Array(0)]; // current, previous (with filter byte)
  let filled = 0;
  let rowsBytes = 0;
  let largestChunk = 0;
  const startPass = () => {
    const stride = rowBytes(layout, passes[passIndex].w);
    rows = [new Uint8Array(stride + 1), new Uint8Array(stride + 1)];
    rowsBytes = Math.max(rowsBytes, 2 * (stride + 1));
    y = 0;
  };
  startPass();
  const complete = await inflate(idat, (chunk) => {
    largestChunk = Math.max(largestChunk, chunk.byteLength);
    for (let i = 0; i < chunk.length; ) {
      const [row, previous] = rows;
      const n = Math.min(chunk.length - i, row.length - filled);
      row.set(chunk.subarray(i, i + n), filled);
      filled += n;
      i += n;
      if (filled < row.length) return false;
      filled = 0;
      const pass = passes[passIndex];
      const data = row.subarray(1);
      if (!unfilterRow(row[0], data, y > 0 ? previous.subarray(1) : undefined, bpp)) {
        throw corrupt(`unknown row filter ${row[0]}`);
      }
      pngRowToRgba(layout, data, pass.w, rgba, ((pass.y0 + y * pass.dy) * width + pass.x0) * 4, pass.dx * 4);
      rows = [previous, row];
      if (++y === pass.h) {
        if (++passIndex === passes.length) return true;
        startPass();
      }
    }
    return false;
  });
  if (!complete) throw corrupt("the image data is truncated");
  return { image: { data: rgba, width, height }, workingBytes: rgba.byteLength + rowsBytes + largestChunk };
}
