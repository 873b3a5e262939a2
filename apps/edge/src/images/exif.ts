// Reads the EXIF orientation (tag 0x0112) of a JPEG. Pillow's open_clip transform ignores it,
// but users expect upright photos, so the product applies it (see orientation.ts); anything
// malformed simply means "no orientation" rather than an error: the pixels are still usable.
import { jpegSegments } from "./jpeg-segments";

/** EXIF orientation 1..8 (1 = upright) of a JPEG; 1 when absent or unreadable. */
export function readJpegOrientation(bytes: Uint8Array): number {
  try {
    for (const seg of jpegSegments(bytes)) {
      if (seg.marker !== 0xe1 || !isExif(bytes, seg.start, seg.end)) continue;
      return tiffOrientation(bytes.subarray(seg.start + 6, seg.end)); // first Exif APP1 wins, as in Pillow
    }
  } catch {
    // A broken header is reported by the dimension check; here it only means "upright".
  }
  return 1;
}

function isExif(b: Uint8Array, start: number, end: number): boolean {
  return (
    end - start >= 14 &&
    b[start] === 0x45 && // "Exif\0\0"
    b[start + 1] === 0x78 &&
    b[start + 2] === 0x69 &&
    b[start + 3] === 0x66 &&
    b[start + 4] === 0 &&
    b[start + 5] === 0
  );
}

function tiffOrientation(tiff: Uint8Array): number {
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const order = view.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) return 1; // "II" little-endian, "MM" big-endian
  const little = order === 0x4949;
  if (view.getUint16(2, little) !== 42) return 1;
  const ifd0 = view.getUint32(4, little);
  if (ifd0 + 2 > tiff.length) return 1;
  const count = view.getUint16(ifd0, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd0 + 2 + i * 12;
    if (entry + 12 > tiff.length) return 1;
    if (view.getUint16(entry, little) !== 0x0112) continue;
    const type = view.getUint16(entry + 2, little);
    const value = type === 3 ? view.getUint16(entry + 8, little) : type === 4 ? view.getUint32(entry + 8, little) : 0;
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}
