// Safetensors reader: opens a file, reads ONLY the 8-byte length and the JSON header, and
// reads each tensor on demand with a positioned read, so a 9B checkpoint never sits in
// memory whole. Offsets exposed are absolute, so ONNX external data can point into the file.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { bf16ToF32, f16ToF32 } from "./dtype.js";
import { WeightsError } from "./errors.js";
import { parseSafetensorsHeader, type TensorInfo } from "./header.js";

export type { TensorInfo } from "./header.js";
export { type SafetensorsInput, writeSafetensors } from "./safetensors-writer.js";

/** Real headers are kilobytes to a few MB; a larger claim means this is not a safetensors file. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** fs.readSync refuses lengths above 2 GiB - 1; read big tensors in chunks. */
const MAX_READ = 1 << 30;

export class SafetensorsFile {
  readonly path: string;
  readonly size: number;
  readonly metadata: Record<string, string>;
  readonly tensors: Map<string, TensorInfo>;
  /** Non-fatal findings (integer tensors); the caller decides whether they matter. */
  readonly warnings: string[];
  #fd: number | null;

  constructor(path: string, fd: number, size: number, header: ReturnType<typeof parseSafetensorsHeader>) {
    this.path = path;
    this.#fd = fd;
    this.size = size;
    this.metadata = header.metadata;
    this.tensors = header.tensors;
    this.warnings = header.warnings;
  }

  info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) throw new WeightsError("missing_tensor", `${this.path}: no tensor named ${name}`);
    return t;
  }

  /** The tensor's bytes exactly as stored (little-endian). */
  readTensorRaw(name: string): Uint8Array {
    const t = this.info(name);
    const out = new Uint8Array(t.byteLength);
    this.#readInto(out, t.byteOffset);
    return out;
  }

  /** The tensor as f32 (F16/BF16 widened exactly). Integer dtypes are refused. */
  readTensor(name: string): Float32Array {
    const t = this.info(name);
    switch (t.dtype) {
      case "F32": {
        const out = new Float32Array(t.byteLength / 4);
        this.#readInto(new Uint8Array(out.buffer), t.byteOffset);
        return out;
      }
      case "F16":
      case "BF16": {
        const raw = new Uint16Array(t.byteLength / 2);
        this.#readInto(new Uint8Array(raw.buffer), t.byteOffset);
        return t.dtype === "F16" ? f16ToF32(raw) : bf16ToF32(raw);
      }
      default:
        throw new WeightsError(
          "unsupported_dtype",
          `${this.path}: tensor ${name} has dtype ${t.dtype}, not a float weight (use readTensorRaw)`,
        );
    }
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  #readInto(buf: Uint8Array, position: number): void {
    if (this.#fd === null) throw new WeightsError("io_error", `${this.path}: file is closed`);
    let done = 0;
    while (done < buf.length) {
      const n = readSync(this.#fd, buf, done, Math.min(buf.length - done, MAX_READ), position + done);
      if (n === 0)
        throw new WeightsError("truncated", `${this.path}: unexpected end of file at byte ${position + done}`);
      done += n;
    }
  }
}

/** Opens and validates a safetensors file; tensor data is not read. */
export function openSafetensors(path: string): SafetensorsFile {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === "ENOENT" ? "not_found" : "io_error";
    throw new WeightsError(code, `${path}: cannot open (${(e as Error).message})`, { cause: e });
  }
  try {
    const size = fstatSync(fd).size;
    if (size < 8) {
      throw new WeightsError("truncated", `${path}: truncated: ${size} bytes, shorter than the 8-byte header length`);
    }
    const head = readExact(fd, 8, 0);
    const n = head.readBigUInt64LE(0);
    if (n > BigInt(MAX_HEADER_BYTES)) {
      // A zip (PyTorch .pt/.bin) starts "PK": say so, it is the usual mistake.
      const hint =
        head[0] === 0x50 && head[1] === 0x4b ? " (this looks like a PyTorch zip checkpoint: convert it)" : "";
      throw new WeightsError("bad_header", `${path}: not a safetensors file: header length ${n} is implausible${hint}`);
    }
    if (n > BigInt(size - 8)) {
      throw new WeightsError(
        "truncated",
        `${path}: truncated: header length ${n} bytes runs past the end of the file (${size} bytes)`,
      );
    }
    let json: string;
    try {
      json = new TextDecoder("utf-8", { fatal: true }).decode(readExact(fd, Number(n), 8));
    } catch {
      throw new WeightsError("bad_header", `${path}: bad safetensors header: not valid UTF-8`);
    }
    const header = parseSafetensorsHeader(json, 8 + Number(n), size, path);
    return new SafetensorsFile(path, fd, size, header);
  } catch (e) {
    closeSync(fd);
    if (e instanceof WeightsError) throw e;
    throw new WeightsError("io_error", `${path}: cannot read (${(e as Error).message})`, { cause: e });
  }
}

function readExact(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf;
}
