// First frame of a GIF, composed the way Pillow does for frame 0: the logical screen starts
// filled with the transparent index (else index 0), the frame is drawn over it skipping
// transparent pixels, and convert("RGB") maps indices through the colour table, ignoring alpha.
import { GifReader } from "omggif";
import type { PixelMode } from "./dimensions";
import { ImageError } from "./errors";
import type { RgbaImage } from "./orientation";

export interface DecodedGif {
  image: RgbaImage;
  mode: PixelMode;
}

export function decodeGifFirstFrame(bytes: Uint8Array): DecodedGif {
  const reader = new GifReader(bytes); // parses every block up front: throws on truncation
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
  reader.decodeAndBlitFrameRGBA(0, data);
  // Pillow opens a GIF whose colour table is the identity gray ramp as mode "L" (bicubic),
  // anything else as "P" (which Image.resize forces to NEAREST).
  return { image: { data, width, height }, mode: isIdentityGray(palette) ? "rgb" : "palette" };
}

function isIdentityGray(palette: Uint8Array): boolean {
  for (let i = 0; i < palette.length; i += 3) {
    const v = i / 3;
    if (palette[i] !== v || palette[i + 1] !== v || palette[i + 2] !== v) return false;
  }
  return true;
}
