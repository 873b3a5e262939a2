// Walks the marker segments of a JPEG header (SOI up to the first SOS) without decoding pixels.
// Shared by the dimension check (SOFn) and the EXIF orientation reader (APP1).

export interface JpegSegment {
  marker: number; // second marker byte, e.g. 0xc0 for SOF0, 0xe1 for APP1
  start: number; // offset of the segment payload (after the 2-byte length)
  end: number; // offset just past the payload
}

/**
 * Yields every length-carrying segment before the scan data. Stops after SOS. Throws a plain
 * Error on a malformed or truncated header; callers turn it into an ImageError.
 */
export function* jpegSegments(bytes: Uint8Array): Generator<JpegSegment> {
  let p = 2; // after SOI
  while (p < bytes.length) {
    if (bytes[p] !== 0xff) throw new Error(`expected a JPEG marker at byte ${p}`);
    while (p < bytes.length && bytes[p] === 0xff) p++; // fill bytes
    if (p >= bytes.length) break;
    const marker = bytes[p++];
    // Standalone markers carry no length: TEM and RSTn (SOI/EOI cannot appear here in valid files).
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (marker === 0xd8 || marker === 0xd9) throw new Error("unexpected SOI/EOI in the JPEG header");
    if (p + 2 > bytes.length) break;
    const length = (bytes[p] << 8) | bytes[p + 1];
    if (length < 2) throw new Error("invalid JPEG segment length");
    const start = p + 2;
    const end = p + length;
    if (end > bytes.length) break;
    yield { marker, start, end };
    if (marker === 0xda) return; // SOS: entropy-coded data follows
    p = end;
  }
  throw new Error("the JPEG header is truncated");
}

/** True for the start-of-frame markers (SOF0..SOF15 minus DHT, JPG and DAC). */
export function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * True when an EOI marker follows the first scan. libjpeg pads a truncated stream with gray
 * and only warns; Pillow refuses it ("image file is truncated"), and so do we.
 */
export function hasEndOfImage(bytes: Uint8Array, scanStart: number): boolean {
  for (let i = bytes.length - 2; i >= scanStart; i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
  return false;
}
