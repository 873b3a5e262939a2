// Per-row PNG work: undo the row filter (in place), then expand the row to RGBA the way Pillow
// reads it: 16-bit samples keep their high byte, 1/2/4-bit gray is scaled to 0..255, palette
// indices map through PLTE (tRNS is ignored: Pillow's convert("RGB") drops it anyway).

export interface PngLayout {
  colorType: number; // 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA
  depth: number;
  palette: Uint8Array; // PLTE bytes (RGB triples)
}

/** Reverses filter `type` on `row` in place; `previous` is the unfiltered row above. */
export function unfilterRow(type: number, row: Uint8Array, previous: Uint8Array | undefined, bpp: number): boolean {
  const n = row.length;
  switch (type) {
    case 0:
      return true;
    case 1: // Sub
      for (let i = bpp; i < n; i++) row[i] = (row[i] + row[i - bpp]) & 0xff;
      return true;
    case 2: // Up
      if (previous) for (let i = 0; i < n; i++) row[i] = (row[i] + previous[i]) & 0xff;
      return true;
    case 3: // Average
      for (let i = 0; i < n; i++) {
        const left = i >= bpp ? row[i - bpp] : 0;
        const up = previous ? previous[i] : 0;
        row[i] = (row[i] + ((left + up) >> 1)) & 0xff;
      }
      return true;
    case 4: // Paeth
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? row[i - bpp] : 0;
        const b = previous ? previous[i] : 0;
        const c = i >= bpp && previous ? previous[i - bpp] : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        row[i] = (row[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
      }
      return true;
    default:
      return false;
  }
}

/** Sample j of a row with 1/2/4/8-bit samples (16-bit handled by the callers via the high byte). */
function packedSample(row: Uint8Array, j: number, depth: number): number {
  if (depth === 8) return row[j];
  const perByte = 8 / depth;
  const shift = 8 - depth * ((j % perByte) + 1);
  return (row[Math.floor(j / perByte)] >> shift) & ((1 << depth) - 1);
}

/** Writes `count` pixels of an unfiltered row as RGBA at `out[at]`, `step` bytes apart. */
export function pngRowToRgba(
  layout: PngLayout,
  row: Uint8Array,
  count: number,
  out: Uint8Array,
  at: number,
  step: number,
): void {
  const { colorType, depth, palette } = layout;
  const w = depth === 16 ? 2 : 1; // bytes per sample when ≥ 8 bits; the high byte comes first
  // One loop per layout: this runs for every pixel of the image.
  if (colorType === 2) {
    for (let j = 0, i = 0, o = at; j < count; j++, i += 3 * w, o += step) {
      out[o] = row[i];
      out[o + 1] = row[i + w];
      out[o + 2] = row[i + 2 * w];
      out[o + 3] = 255;
    }
  } else if (colorType === 6) {
    for (let j = 0, i = 0, o = at; j < count; j++, i += 4 * w, o += step) {
      out[o] = row[i];
      out[o + 1] = row[i + w];
      out[o + 2] = row[i + 2 * w];
      out[o + 3] = row[i + 3 * w];
    }
  } else if (colorType === 4) {
    for (let j = 0, i = 0, o = at; j < count; j++, i += 2 * w, o += step) {
      out[o] = out[o + 1] = out[o + 2] = row[i];
      out[o + 3] = row[i + w];
    }
  } else if (colorType === 0) {
    const scale = 255 / ((1 << Math.min(depth, 8)) - 1); // 1, 2, 4 bits → ×255, ×85, ×17
    for (let j = 0, o = at; j < count; j++, o += step) {
      const v = depth >= 8 ? row[j * w] : packedSample(row, j, depth) * scale;
      out[o] = out[o + 1] = out[o + 2] = v;
      out[o + 3] = 255;
    }
  } else {
    for (let j = 0, o = at; j < count; j++, o += step) {
      const index = packedSample(row, j, depth) * 3; // entries past PLTE read as black
      out[o] = palette[index] ?? 0;
      out[o + 1] = palette[index + 1] ?? 0;
      out[o + 2] = palette[index + 2] ?? 0;
      out[o + 3] = 255;
    }
  }
}
