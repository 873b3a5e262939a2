// Pillow's RGBA <-> RGBa (premultiplied) conversions, bit-exact. Image.resize converts RGBA and
// LA images to premultiplied form, resamples, and converts back; open_clip then drops alpha.
import type { PixelView } from "./orientation";

/** RGBA → RGBa in place for rows [y0, y1) of a view: c' = MULDIV255(c, a), Pillow's rounding. */
export function premultiplyRows(view: PixelView, y0: number, y1: number): void {
  const { data } = view;
  for (let y = y0; y < y1; y++) {
    for (let x = 0, s = view.origin + y * view.stepY; x < view.width; x++, s += view.stepX) {
      const p = s * 4;
      const a = data[p + 3];
      if (a === 255) continue; // MULDIV255(c, 255) === c
      for (let c = p; c < p + 3; c++) {
        const t = data[c] * a + 128;
        data[c] = ((t >> 8) + t) >> 8;
      }
    }
  }
}

/** RGBa → RGB (alpha dropped): c = min(255, floor(255·c' / a)); a of 0 or 255 passes through. */
export function unpremultiplyToRgb(rgba: Uint8Array, rgb: Uint8Array): void {
  for (let p = 0, o = 0; p < rgba.length; p += 4, o += 3) {
    const a = rgba[p + 3];
    for (let c = 0; c < 3; c++) {
      const v = rgba[p + c];
      rgb[o + c] = a === 255 || a === 0 ? v : Math.min(255, Math.trunc((255 * v) / a));
    }
  }
}
