// Safetensors writer for tensors produced as byte chunks: the header is computed from
// shapes up front, then each tensor's bytes are streamed in order, so neither a tensor nor
// the model is ever held whole. Same layout and order as weights/safetensors-writer.ts.
import { writeFileAtomically } from "../weights/atomic-file.js";
import { DTYPE_BYTES, type FloatDtype } from "../weights/dtype.js";
import { numel } from "../weights/shape.js";
import { ConvertError } from "./errors.js";

export interface StreamedTensor {
  name: string;
  dtype: FloatDtype;
  shape: readonly number[];
  /** Emits exactly numel × element-size bytes, in order, through `emit`. */
  write(emit: (bytes: Uint8Array) => void): void;
}

export function writeSafetensorsStream(
  path: string,
  tensors: readonly StreamedTensor[],
  metadata: Record<string, string>,
): void {
  // Largest elements first, then by name: every tensor stays aligned to its element size.
  const order = [...tensors].sort(
    (a, b) => DTYPE_BYTES[b.dtype] - DTYPE_BYTES[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of order) {
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
        if (got > want) throw new ConvertError("io_error", `${path}: ${t.name} produced more than ${want} bytes`);
        writeAll(bytes);
      });
      if (got !== want) throw new ConvertError("io_error", `${path}: ${t.name} produced ${got} of ${want} bytes`);
    }
  });
}
