// EXIF orientation as a view: the decoded RGBA buffer is addressed through an origin and two
// strides instead of being rotated into a copy (a 12 MP photo would need another 48 MB; the
// Workers isolate has 128 MB). The pixel mapping is Pillow's ImageOps.exif_transpose.

export interface RgbaImage {
  data: Uint8Array; // RGBA, row-major, 4 bytes per pixel
  width: number;
  height: number;
}

/** An oriented image: pixel (x, y) is at pixel index origin + x·stepX + y·stepY of `data`. */
export interface PixelView {
  data: Uint8Array;
  width: number;
  height: number;
  origin: number;
  stepX: number;
  stepY: number;
}

/**
 * Origin and steps for a w×h source, per orientation: 2 mirror, 3 rotate 180, 4 flip,
 * 5 transpose, 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise.
 */
function walk(orientation: number, w: number, h: number): [origin: number, stepX: number, stepY: number] {
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
      return [0, 1, w]; // 1 (upright) or unknown
  }
}

export function orientedView(image: RgbaImage, orientation = 1): PixelView {
  const [origin, stepX, stepY] = walk(orientation, image.width, image.height);
  const swap = orientation >= 5 && orientation <= 8;
  return {
    data: image.data,
    width: swap ? image.height : image.width,
    height: swap ? image.width : image.height,
    origin,
    stepX,
    stepY,
  };
}

/** Copies a view into a plain row-major RGBA image (tests and tooling; the pipeline reads views). */
export function materialize(view: PixelView): RgbaImage {
  const { width, height } = view;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0, s = view.origin + y * view.stepY; x < width; x++, s += view.stepX, o += 4) {
      data.set(view.data.subarray(s * 4, s * 4 + 4), o);
    }
  }
  return { data, width, height };
}
