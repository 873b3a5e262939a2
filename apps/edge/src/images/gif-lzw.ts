// GIF frame decoding: omggif's LZW decoder and RGBA blit, ported with two bounds its own lack.
// A code table entry's prefix chain is followed with a length limit (a code past the table's
// end in corrupt data reached stale entries forming a cycle, and omggif looped forever: found by
// the decoder fuzz), and an invalid code size is refused. On valid streams the output is
// omggif's, byte for byte (the Pillow vectors check it).
import { ImageError } from "./errors";

export interface GifFrame {
  x: number;
  y: number;
  width: number;
  height: number;
  palette_offset: number;
  transparent_index: number | null;
  interlaced: boolean;
  data_offset: number;
}

/** Longest prefix chain in a 12-bit code table: more means the chain is a cycle. */
const MAX_CHAIN = 4096;

function corrupt(detail: string): ImageError {
  return new ImageError("corrupt", `The GIF image data is corrupt: ${detail}.`);
}

/** The frame's colour indices (`count` of them; missing ones stay 0, as omggif leaves them). */
export function lzwIndices(stream: Uint8Array, start: number, count: number): Uint8Array {
  const output = new Uint8Array(count);
  let p = start;
  const minCodeSize = stream[p++];
  if (!(minCodeSize >= 1 && minCodeSize <= 11)) throw corrupt(`LZW minimum code size ${minCodeSize}`);
  const clearCode = 1 << minCodeSize;
  const eoiCode = clearCode + 1;
  let nextCode = eoiCode + 1;
  let codeSize = minCodeSize + 1;
  let codeMask = (1 << codeSize) - 1;
  let cur = 0;
  let curShift = 0;
  let op = 0;
  let subblockSize = stream[p++] ?? 0;
  const table = new Int32Array(4096); // prefix code << 8 | suffix byte
  let prevCode: number | null = null;

  for (;;) {
    while (curShift < 16) {
      if (!subblockSize) break; // no more data (0, or past the end of the buffer)
      cur |= (stream[p++] ?? 0) << curShift;
      curShift += 8;
      if (subblockSize === 1) subblockSize = stream[p++] ?? 0;
      else subblockSize--;
    }
    if (curShift < codeSize) break;
    const code = cur & codeMask;
    cur >>= codeSize;
    curShift -= codeSize;
    if (code === clearCode) {
      nextCode = eoiCode + 1;
      codeSize = minCodeSize + 1;
      codeMask = (1 << codeSize) - 1;
      prevCode = null;
      continue;
    }
    if (code === eoiCode) break;

    const chaseCode: number = code < nextCode ? code : (prevCode ?? 0);
    let chaseLength = 0;
    let chase = chaseCode;
    while (chase > clearCode) {
      chase = table[chase] >> 8;
      if (++chaseLength > MAX_CHAIN) throw corrupt("an LZW code refers to itself");
    }
    const k = chase;
    const opEnd = op + chaseLength + (chaseCode !== code ? 1 : 0);
    if (opEnd > count) return output; // longer than the frame: the rest is ignored
    output[op++] = k;
    op += chaseLength;
    let back = op;
    if (chaseCode !== code) output[op++] = k;
    chase = chaseCode;
    while (chaseLength--) {
      chase = table[chase];
      output[--back] = chase & 0xff;
      chase >>= 8;
    }
    if (prevCode !== null && nextCode < 4096) {
      table[nextCode++] = (prevCode << 8) | k;
      if (nextCode >= codeMask + 1 && codeSize < 12) {
        codeSize++;
        codeMask = (codeMask << 1) | 1;
      }
    }
    prevCode = code;
  }
  return output;
}

/**
 * Draws the frame's pixels onto `pixels` (RGBA, `screenWidth` wide), skipping the transparent
 * index; interlaced frames are drawn in their four passes.
 */
export function blitFrame(
  stream: Uint8Array,
  frame: GifFrame,
  screenWidth: number,
  pixels: Uint8Array,
): { indexBytes: number } {
  const indices = lzwIndices(stream, frame.data_offset, frame.width * frame.height);
  const palette = frame.palette_offset;
  const transparent = frame.transparent_index ?? 256;
  const frameStride = screenWidth - frame.width;
  let xLeft = frame.width;
  const opBegin = (frame.y * screenWidth + frame.x) * 4;
  const opEnd = ((frame.y + frame.height) * screenWidth + frame.x) * 4;
  let op = opBegin;
  let scanStride = frameStride * 4;
  if (frame.interlaced) scanStride += screenWidth * 4 * 7; // pass 1 skips 7 rows
  let interlaceSkip = 8;
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (xLeft === 0) {
      op += scanStride;
      xLeft = frame.width;
      if (op >= opEnd) {
        // Wrapped: the next interlace pass.
        scanStride = frameStride * 4 + screenWidth * 4 * (interlaceSkip - 1);
        op = opBegin + (frame.width + frameStride) * (interlaceSkip << 1);
        interlaceSkip >>= 1;
      }
    }
    if (index === transparent) {
      op += 4;
    } else {
      pixels[op++] = stream[palette + index * 3];
      pixels[op++] = stream[palette + index * 3 + 1];
      pixels[op++] = stream[palette + index * 3 + 2];
      pixels[op++] = 255;
    }
    xLeft--;
  }
  return { indexBytes: indices.byteLength };
}
