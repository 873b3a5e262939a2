// Safetensors writer in the standard layout (as the Rust/Python library writes it): u64
// header length, JSON header space-padded to a multiple of 8, then the tensors back to back.
// The header is computed from shapes up front and each tensor's bytes are streamed in order
// into a temporary file renamed when complete, so neither a tensor nor the model is held whole.
import { writeFileAtomically } from "./atomic-file.js";
import { DTYPE_BYTES, type FloatDtype, f32ToBf16, f32ToF16 } from "./dtype.js";
import { WeightsError } from "./errors.js";
import { formatShape, numel } from "./shape.js";

export interface StreamedTensor {
  name: string;
  dtype: FloatDtype;
  shape: readonly number[];
  /** Emits exactly numel × element-size bytes, in order, through `emit`. */
  write(emit: (bytes: Uint8Array) => void): void;
}

export interface SafetensorsInput {
  name: string;
  dtype: FloatDtype;
  shape: readonly number[];
  /** The values, or a function producing them when the writer reaches this tensor. */
  data: Float32Array | (() => Float32Array);
}

/**
 * Writes `tensors` to `path`. Order: by element size (largest first), then by name — the
 * library's own order, which keeps every tensor aligned to its element size with no gaps
 * (the data section starts 8-aligned); with one dtype it is simply sorted by name.
 */
export function writeSafetensorsStream(
  path: string,
  tensors: readonly StreamedTensor[],
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
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));

  writeFileAtomically(path, (writeAll) => {
    writeAll(len);
    writeAll(json);
    for (const t of order) {
      const want = numel(t.shape) * DTYPE_BYTES[t.dtype];
      let got = 0;
      t.write((bytes) => {
        got += bytes.length;
        if (got > want) throw new WeightsError("io_error", `${path}: ${t.name} produced more than ${want} bytes`);
        writeAll(bytes);
      });
      if (got !== want) throw new WeightsError("io_error", `${path}: ${t.name} produced ${got} of ${want} bytes`);
    }
  });
}

/** writeSafetensorsStream for tensors given as f32 values, stored as their `dtype`. */
export function writeSafetensors(
  path: string,
  tensors: readonly SafetensorsInput[],
  metadata?: Record<string, string>,
): void {
  writeSafetensorsStream(
    path,
    tensors.map((t) => ({ ...t, write: (emit) => emit(encode(t, path)) })),
    metadata,
  );
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
