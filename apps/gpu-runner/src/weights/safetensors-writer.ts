// Safetensors writer in the standard layout (as the Rust/Python library writes it): u64
// header length, JSON header space-padded to a multiple of 8, then the tensors back to back.
// Data is streamed tensor by tensor into a temporary file that is renamed when complete.
import { writeFileAtomically } from "./atomic-file.js";
import { DTYPE_BYTES, type FloatDtype, f32ToBf16, f32ToF16 } from "./dtype.js";
import { WeightsError } from "./errors.js";
import { formatShape, numel } from "./shape.js";

export interface SafetensorsInput {
  name: string;
  dtype: FloatDtype;
  shape: readonly number[];
  /** The values, or a function producing them when the writer reaches this tensor (so a
   * converter never holds every tensor at once). */
  data: Float32Array | (() => Float32Array);
}

/**
 * Writes `tensors` to `path`. Order: by element size (largest first), then by name — the
 * library's own order, which keeps every tensor aligned to its element size with no gaps
 * (the data section starts 8-aligned); with one dtype it is simply sorted by name.
 */
export function writeSafetensors(
  path: string,
  tensors: readonly SafetensorsInput[],
  metadata?: Record<string, string>,
): void {
  const order = [...tensors].sort(
    (a, b) => DTYPE_BYTES[b.dtype] - DTYPE_BYTES[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of order) {
    if (!t.name || t.name === "__metadata__" || Object.hasOwn(header, t.name)) {
      throw new WeightsError("bad_argument", `${path}: invalid or duplicate tensor name ${JSON.stringify(t.name)}`);
    }
    const bytes = numel(t.shape) * DTYPE_BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = Buffer.from(JSON.stringify(header), "utf8");
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const lenBuf = Buffer.alloc(8);
  lenBuf.writeBigUInt64LE(BigInt(json.length));

  writeFileAtomically(path, (write) => {
    write(lenBuf);
    write(json);
    for (const t of order) write(encode(t, path));
  });
}

function encode(t: SafetensorsInput, path: string): Uint8Array {
  const data = typeof t.data === "function" ? t.data() : t.data;
  const n = numel(t.shape);
  if (data.length !== n) {
    throw new WeightsError(
      "shape_mismatch",
      `${path}: tensor ${t.name} has ${data.length} values but shape ${formatShape(t.shape)} needs ${n}`,
    );
  }
  const typed = t.dtype === "F32" ? data : t.dtype === "F16" ? f32ToF16(data) : f32ToBf16(data);
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}
