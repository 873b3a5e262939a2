// Applies an EXIF orientation to decoded RGBA pixels, before resizing, with the same pixel
// mapping as Pillow's ImageOps.exif_transpose (so vectors can be made with Pillow).

export interface RgbaImage {
  data: Uint8Array; // RGBA, row-major, 4 bytes per pixel
  width: number;
  height: number;
}

/**
 * Where destination pixel (dx, dy) comes from, as a source pixel index
 * origin + dx·stepX + dy·stepY, for a w×h source. 2 mirror, 3 rotate 180, 4 flip,
 * 5 transpose, 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise.
 */
function walk(orientation: number, w: number, h: number): [origin: number, stepX: number, stepY: number] | null {
  const last = (h - 1) * w; // first pixel of the last row
  switch (orientation) {
    case 2:
      return [w - 1, -1, w];
    case 3:
      return [last + w - 1, -1, -w];
    case 4:
      return [last, 1, -w];
    case 5:
      return [0, w, 1];
    case 6:
      return [last, -w, 1];
    case 7:
      return [last + w - 1, -w, -1];
    case 8:
      return [w - 1, w, -1];
    default:
      return null; // 1 (upright) or unknown
  }
}

export function applyOrientation(image: RgbaImage, orientation: number): RgbaImage {
  const { width: w, height: h } = image;
  const steps = walk(orientation, w, h);
  if (!steps) return image;
  const [origin, stepX, stepY] = steps;
  const swap = orientation >= 5;
  const width = swap ? h : w;
  const height = swap ? w : h;
  const data = image.data.byteOffset % 4 === 0 ? image.data : image.data.slice();
  const src = new Uint32Array(data.buffer, data.byteOffset, w * h); // one RGBA pixel per element
  const dst = new Uint32Array(width * height);
  for (let dy = 0, o = 0; dy < height; dy++) {
    let s = origin + dy * stepY;
    for (let dx = 0; dx < width; dx++, o++, s += stepX) dst[o] = src[s];
  }
  return { data: new Uint8Array(dst.buffer), width, height };
}
