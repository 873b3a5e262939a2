// First frame of a GIF, composed the way Pillow does for frame 0: the logical screen starts
// filled with the transparent index (else index 0), the frame is drawn over it skipping
// transparent pixels, and convert("RGB") maps indices through the colour table, ignoring alpha.
import { GifReader } from "omggif";
import type { PixelMode } from "./dimensions";
import { ImageError } from "./errors";
import { blitFrame, type GifFrame } from "./gif-lzw";
import type { RgbaImage } from "./orientation";

export interface DecodedGif {
  image: RgbaImage;
  mode: PixelMode;
  /** The canvas, omggif's index buffer for the frame, and its frame index (one record a frame). */
  workingBytes: number;
}

/**
 * The file up to the end of its first image: GifReader indexes every frame up front (a record
 * per frame), so a GIF of a million tiny frames cost hundreds of MB before any pixel; Pillow's
 * frame 0 never reads past its image either. Block layout (GIF89a): header and logical screen
 * (13 bytes), global colour table, then extensions (0x21) and images (0x2C), each ending in a
 * chain of length-prefixed sub-blocks.
 */
export function firstFrame(bytes: Uint8Array): Uint8Array {
  const truncated = () => new ImageError("corrupt", "The GIF image is truncated before its first frame ends.");
  const colourTable = (flags: number) => (flags & 0x80 ? 3 << ((flags & 0x07) + 1) : 0);
  const subBlocks = (at: number) => {
    while (at < bytes.length && bytes[at] !== 0) at += bytes[at] + 1;
    if (at >= bytes.length) throw truncated();
    return at + 1; // past the zero-length terminator
  };
  let p = 13 + colourTable(bytes[10]);
  while (p < bytes.length) {
    const block = bytes[p];
    if (block === 0x21) {
      p = subBlocks(p + 2); // introducer, label, sub-blocks
    } else if (block === 0x2c) {
      if (p + 10 > bytes.length) throw truncated();
      // Descriptor (10 bytes), local colour table, LZW minimum code size, image data.
      return bytes.subarray(0, subBlocks(p + 10 + colourTable(bytes[p + 9]) + 1));
    } else {
      break; // the trailer (0x3B) or an unknown block: no image before it
    }
  }
  throw new ImageError("corrupt", "The GIF image has no frames.");
}

/** Heap per frame GifReader indexes: 146 B, measured in Node on a GIF of a million frames. */
const FRAME_RECORD_BYTES = 146;

export function decodeGifFirstFrame(bytes: Uint8Array): DecodedGif {
  const reader = new GifReader(firstFrame(bytes)); // its end needs no trailer: the reader stops at the buffer's end
  if (reader.numFrames() < 1) throw new ImageError("corrupt", "The GIF image has no frames.");
  const frame = reader.frameInfo(0);
  const { width, height } = reader;
  if (frame.x + frame.width > width || frame.y + frame.height > height) {
    throw new ImageError("corrupt", "The GIF's first frame extends beyond its logical screen.");
  }
  if (frame.palette_offset === null || frame.palette_size === null) {
    throw new ImageError("unsupported_format", "GIF images without a colour table are not supported.");
  }
  const palette = bytes.subarray(frame.palette_offset, frame.palette_offset + frame.palette_size * 3);
  const data = new Uint8Array(width * height * 4);
  const fill = (frame.transparent_index ?? 0) * 3;
  const background = (255 << 24) | (palette[fill + 2] << 16) | (palette[fill + 1] << 8) | palette[fill];
  new Uint32Array(data.buffer).fill(background >>> 0); // little-endian RGBA
  // omggif indexes the frame; its LZW decoder could loop forever on corrupt data (gif-lzw.ts).
  const { indexBytes } = blitFrame(bytes, frame as GifFrame, width, data);
  // Pillow opens a GIF whose colour table is the identity gray ramp as mode "L" (bicubic),
  // anything else as "P" (which Image.resize forces to NEAREST).
  return {
    image: { data, width, height },
    mode: isIdentityGray(palette) ? "rgb" : "palette",
    workingBytes: data.byteLength + indexBytes + reader.numFrames() * FRAME_RECORD_BYTES,
  };
}

function isIdentityGray(palette: Uint8Array): boolean {
  for (let i = 0; i < palette.length; i += 3) {
    const v = i / 3;
    if (palette[i] !== v || palette[i + 1] !== v || palette[i + 2] !== v) return false;
  }
  return true;
}
