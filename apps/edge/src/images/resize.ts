// The CLIP resize + center crop, matching open_clip's Pillow pipeline for each pixel mode:
// bicubic (antialiased) on RGB, on premultiplied RGBA for images with alpha, NEAREST for palette
// images; then the 224×224 crop as HWC RGB uint8. The edge never normalizes: the runner does.
import { premultiplyRows, unpremultiplyToRgb } from "./alpha";
import type { PixelMode } from "./dimensions";
import { CLIP_IMAGE_SIZE, planResize } from "./geometry";
import { nearestWindow } from "./nearest";
import type { PixelView } from "./orientation";
import { coefficients, resampleColumns, resampleRows } from "./resample";

/**
 * Resize so the short side is `size`, center-crop size×size, return RGB (size·size·3 bytes).
 * Only the kept window is computed. Premultiplies the view's pixels in place for "rgba".
 */
export function clipResize(view: PixelView, mode: PixelMode, size = CLIP_IMAGE_SIZE): Uint8Array {
  const { width, height } = view;
  const plan = planResize(width, height, size);
  let window: Uint8Array; // size × size RGBA (premultiplied when mode is "rgba" and resized)
  let premultiplied = false;
  if (plan.width === width && plan.height === height) {
    // Short side already 224: Pillow returns a copy (no resampling, no premultiply round trip).
    window = crop(view, plan.left, plan.top, size);
  } else if (mode === "palette") {
    window = nearestWindow(view, plan.width, plan.height, plan.left, plan.top, size);
  } else {
    // Both axes change: the short side is 224 after the resize only if it was not before.
    const vertical = coefficients(height, plan.height, plan.top, size);
    const rowFirst = vertical.first[0];
    const rowEnd = vertical.first[size - 1] + vertical.count[size - 1];
    if (mode === "rgba") {
      premultiplyRows(view, rowFirst, rowEnd); // only the rows the filter reads
      premultiplied = true;
    }
    // Horizontal pass first (as Pillow), on just the source rows the vertical pass reads.
    const data = resampleRows(view, rowFirst, rowEnd, coefficients(width, plan.width, plan.left, size));
    // Those rows of the horizontally resampled window, addressed by source row index.
    const rows: PixelView = { data, width: size, height: rowEnd, origin: -rowFirst * size, stepX: 1, stepY: size };
    window = resampleColumns(rows, 0, size, vertical);
  }
  const rgb = new Uint8Array(size * size * 3);
  if (premultiplied) {
    unpremultiplyToRgb(window, rgb);
  } else {
    for (let p = 0, o = 0; o < rgb.length; p += 4, o += 3) {
      rgb[o] = window[p];
      rgb[o + 1] = window[p + 1];
      rgb[o + 2] = window[p + 2];
    }
  }
  return rgb;
}

function crop(view: PixelView, left: number, top: number, size: number): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  for (let y = 0, o = 0; y < size; y++) {
    for (
      let x = 0, s = view.origin + (top + y) * view.stepY + left * view.stepX;
      x < size;
      x++, s += view.stepX, o += 4
    ) {
      out.set(view.data.subarray(s * 4, s * 4 + 4), o);
    }
  }
  return out;
}
