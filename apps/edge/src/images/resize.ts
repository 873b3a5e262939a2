// The CLIP resize + center crop, matching open_clip's Pillow pipeline for each pixel mode:
// bicubic (antialiased) on RGB, on premultiplied RGBA for images with alpha, NEAREST for palette
// images; then the 224×224 crop as HWC RGB uint8. The edge never normalizes: the runner does.
import { premultiply, unpremultiplyToRgb } from "./alpha";
import type { PixelMode } from "./dimensions";
import { CLIP_IMAGE_SIZE, planResize } from "./geometry";
import { nearestWindow } from "./nearest";
import type { RgbaImage } from "./orientation";
import { coefficients, resampleColumns, resampleRows } from "./resample";

/** Resize so the short side is `size`, center-crop size×size, return RGB (size·size·3 bytes). */
export function clipResize(image: RgbaImage, mode: PixelMode, size = CLIP_IMAGE_SIZE): Uint8Array {
  const { width, height } = image;
  const plan = planResize(width, height, size);
  let window: Uint8Array; // size × size RGBA (premultiplied when mode is "rgba" and resized)
  let premultiplied = false;
  if (plan.width === width && plan.height === height) {
    // Pillow returns a copy when the size is unchanged: no resampling, no premultiply round trip.
    window = cropRgba(image, plan.left, plan.top, size);
  } else if (mode === "palette") {
    window = nearestWindow(image.data, width, height, plan.width, plan.height, plan.left, plan.top, size);
  } else {
    const vertical = coefficients(height, plan.height, plan.top, size);
    const rowFirst = vertical.first[0];
    const rowEnd = vertical.first[size - 1] + vertical.count[size - 1];
    if (mode === "rgba") {
      // In place on the rows the filter reads: the decoded buffer is ours and not reused.
      premultiply(image.data, rowFirst * width, rowEnd * width);
      premultiplied = true;
    }
    // Pillow skips a pass whose axis keeps its size; so do we.
    let rows = image.data;
    let rowsWidth = width;
    let rowOffset = 0;
    let x0 = plan.left;
    if (plan.width !== width) {
      rows = resampleRows(image.data, width, rowFirst, rowEnd, coefficients(width, plan.width, plan.left, size));
      rowsWidth = size;
      rowOffset = rowFirst;
      x0 = 0;
    }
    if (plan.height !== height) {
      window = resampleColumns(rows, rowsWidth, x0, size, rowOffset, vertical);
    } else {
      window = cropRgba({ data: rows, width: rowsWidth, height: rowEnd - rowOffset }, x0, plan.top - rowOffset, size);
    }
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

function cropRgba(image: RgbaImage, left: number, top: number, size: number): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    const s = ((top + y) * image.width + left) * 4;
    out.set(image.data.subarray(s, s + size * 4), y * size * 4);
  }
  return out;
}
