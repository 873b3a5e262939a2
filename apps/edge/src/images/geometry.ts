// torchvision's size rules for open_clip's eval transform: Resize(224) makes the shorter side
// 224 and the longer int(224 · long / short) (truncated); CenterCrop(224) offsets by
// round((size - 224) / 2) with Python's round, i.e. half to even (37.5 → 38, 36.5 → 36).

export const CLIP_IMAGE_SIZE = 224;

export interface ResizePlan {
  width: number; // size after Resize
  height: number;
  left: number; // CenterCrop window inside the resized image
  top: number;
  size: number; // crop side
}

/** Python 3 round() for halves: ties go to the even neighbour. */
export function roundHalfEven(v: number): number {
  const floor = Math.floor(v);
  const diff = v - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export function planResize(width: number, height: number, size = CLIP_IMAGE_SIZE): ResizePlan {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const newLong = Math.trunc((size * long) / short);
  const [w, h] = width <= height ? [size, newLong] : [newLong, size];
  // A crop larger than the image pads in torchvision; it cannot happen here (both sides ≥ size).
  return { width: w, height: h, left: roundHalfEven((w - size) / 2), top: roundHalfEven((h - size) / 2), size };
}
