// Pillow's NEAREST resize (ImagingScaleAffine), used for palette ("P") and 1-bit images: Pillow
// forces NEAREST for those modes whatever filter is asked for. Source positions are accumulated
// in double exactly as in C, so the chosen pixels match bit for bit.
import type { PixelView } from "./orientation";

/** Source index for each output index of an affine scale from inSize to outSize; -1 = outside. */
function sourceTable(inSize: number, outSize: number): Int32Array {
  const step = inSize / outSize;
  const table = new Int32Array(outSize);
  let pos = step * 0.5;
  for (let i = 0; i < outSize; i++) {
    const v = pos < 0 ? -1 : Math.trunc(pos); // Pillow's COORD()
    table[i] = v < inSize ? v : -1;
    pos += step;
  }
  return table;
}

/**
 * Resizes a view to outWidth × outHeight with NEAREST and returns the window
 * [left, left + size) × [top, top + size) as RGBA. Pixels mapping outside stay 0, as in Pillow.
 */
export function nearestWindow(
  src: PixelView,
  outWidth: number,
  outHeight: number,
  left: number,
  top: number,
  size: number,
): Uint8Array {
  const xs = sourceTable(src.width, outWidth);
  const ys = sourceTable(src.height, outHeight);
  const out = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    const sy = ys[top + y];
    if (sy < 0) continue;
    for (let x = 0; x < size; x++) {
      const sx = xs[left + x];
      if (sx < 0) continue;
      const s = (src.origin + sy * src.stepY + sx * src.stepX) * 4;
      out.set(src.data.subarray(s, s + 4), (y * size + x) * 4);
    }
  }
  return out;
}
