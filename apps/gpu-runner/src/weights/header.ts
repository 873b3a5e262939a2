// Parses and validates a safetensors JSON header against the file it came from. Pure (no
// I/O) so every malformed-header case is checked in one place; each failure is a
// WeightsError whose message starts with the file path and names the offending tensor.
import { DTYPE_BYTES, type Dtype, isDtype, isFloatDtype } from "./dtype.js";
import { WeightsError } from "./errors.js";
import { formatShape, numel } from "./shape.js";

export interface TensorInfo {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** ABSOLUTE byte offset of the data in the file (header included), for ONNX external data. */
  byteOffset: number;
  byteLength: number;
}

export interface ParsedHeader {
  metadata: Record<string, string>;
  /** In header order. */
  tensors: Map<string, TensorInfo>;
  /** Non-fatal findings, e.g. integer tensors that cannot be read as weights. */
  warnings: string[];
}

/** Dtypes safetensors defines that we refuse, to name them precisely in the error. */
const KNOWN_UNSUPPORTED = [
  "F64",
  "I16",
  "I8",
  "U8",
  "U16",
  "U32",
  "U64",
  "BOOL",
  "F8_E4M3",
  "F8_E5M2",
  "F4",
  "F6_E2M3",
];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * @param dataStart absolute offset of the data section (8 + header length)
 * @param fileSize total file size, to detect truncation
 */
export function parseSafetensorsHeader(json: string, dataStart: number, fileSize: number, file: string): ParsedHeader {
  const bad = (msg: string) => new WeightsError("bad_header", `${file}: bad safetensors header: ${msg}`);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw bad(`not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(raw)) throw bad(`expected a JSON object, found ${raw === null ? "null" : typeof raw}`);

  const metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorInfo>();
  const warnings: string[] = [];
  for (const [name, entry] of Object.entries(raw)) {
    if (name === "__metadata__") {
      if (!isObject(entry)) throw bad("__metadata__ must be an object of strings");
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== "string") throw bad(`__metadata__.${k} must be a string, found ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    const t = parseEntry(name, entry, dataStart, fileSize, file);
    if (!isFloatDtype(t.dtype)) {
      warnings.push(`${name}: dtype ${t.dtype} is not a weight dtype (readTensor refuses it; use readTensorRaw)`);
    }
    tensors.set(name, t);
  }
  checkOverlaps(tensors, dataStart, file);
  return { metadata, tensors, warnings };
}

function parseEntry(name: string, entry: unknown, dataStart: number, fileSize: number, file: string): TensorInfo {
  const where = `${file}: tensor ${name}`;
  if (!isObject(entry)) throw new WeightsError("bad_header", `${where}: header entry must be an object`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== "string") throw new WeightsError("bad_header", `${where}: missing or non-string "dtype"`);
  if (!isDtype(dtype)) {
    const known = KNOWN_UNSUPPORTED.includes(dtype) ? "unsupported" : "unknown";
    throw new WeightsError(
      "unsupported_dtype",
      `${where}: ${known} dtype ${dtype} (weights must be F32, F16 or BF16; I64/I32 are tolerated)`,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw new WeightsError("bad_header", `${where}: "shape" must be an array of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw new WeightsError("bad_offsets", `${where}: "data_offsets" must be [begin, end] non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw new WeightsError("bad_offsets", `${where}: data_offsets [${begin}, ${end}] run backwards`);
  let expected: number;
  try {
    expected = numel(shape) * DTYPE_BYTES[dtype];
  } catch {
    throw new WeightsError("bad_header", `${where}: shape ${formatShape(shape)} is too large`);
  }
  if (end - begin !== expected) {
    throw new WeightsError(
      "bad_offsets",
      `${where}: data_offsets [${begin}, ${end}] span ${end - begin} bytes, but shape ${formatShape(shape)} × ${dtype} needs ${expected}`,
    );
  }
  if (dataStart + end > fileSize) {
    throw new WeightsError(
      "truncated",
      `${where}: data ends at byte ${dataStart + end}, past the end of the file (${fileSize} bytes): the file is truncated`,
    );
  }
  return { name, dtype, shape: shape as number[], byteOffset: dataStart + begin, byteLength: end - begin };
}

/** Two tensors sharing bytes would alias silently; refuse (empty tensors occupy nothing). */
function checkOverlaps(tensors: Map<string, TensorInfo>, dataStart: number, file: string): void {
  const spans = [...tensors.values()].filter((t) => t.byteLength > 0).sort((a, b) => a.byteOffset - b.byteOffset);
  for (let i = 1; i < spans.length; i++) {
    const prev = spans[i - 1];
    const cur = spans[i];
    if (cur.byteOffset < prev.byteOffset + prev.byteLength) {
      const rel = (t: TensorInfo) => `[${t.byteOffset - dataStart}, ${t.byteOffset - dataStart + t.byteLength}]`;
      throw new WeightsError(
        "overlapping_tensors",
        `${file}: tensors ${prev.name} ${rel(prev)} and ${cur.name} ${rel(cur)} overlap in the data section`,
      );
    }
  }
}
