// Turns what a caller has (Blob/File, bytes, or a filesystem path in Node) into a named Blob.
// Paths are read through a lazy `node:fs/promises` import behind a runtime check, so this
// module loads in browsers and Workers, where a path is simply an error.
import { MMGPTError } from "./errors";

/** Bytes the SDK accepts. A Node `Buffer` is a `Uint8Array`. */
export type Uploadable = Blob | Uint8Array | ArrayBuffer;

export interface NamedBlob {
  blob: Blob;
  filename: string;
}

/** Whether the runtime can read files by path (Node, Bun, Deno's Node compat). */
export function canReadPaths(): boolean {
  const process = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof process?.versions?.node === "string";
}

/** Reads a file by path in Node; throws elsewhere. */
export async function readPath(path: string): Promise<Uint8Array> {
  if (!canReadPaths()) throw new MMGPTError(`Cannot read "${path}": reading paths needs Node; pass a Blob or bytes.`);
  // A variable specifier keeps bundlers for browsers from trying to resolve the Node module.
  const specifier = "node:fs/promises";
  const fs = (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as {
    readFile(path: string): Promise<Uint8Array>;
  };
  return fs.readFile(path);
}

/** Bytes as an ArrayBuffer-backed view (what Blob accepts under TypeScript's strict DOM types). */
export function toBytes(input: Uint8Array | ArrayBuffer): Uint8Array<ArrayBuffer> {
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  return new Uint8Array(input.buffer as ArrayBuffer, input.byteOffset, input.byteLength);
}

/** The last segment of a path, on either separator. */
export function basename(path: string): string {
  return path.split(/[\\/]/).pop() || "upload";
}

/** `input` as a Blob with a filename; `type` is used for raw bytes. */
export async function toNamedBlob(
  input: Uploadable | string,
  filename: string | undefined,
  type: (bytes: Uint8Array) => string,
): Promise<NamedBlob> {
  if (typeof input === "string") {
    const bytes = toBytes(await readPath(input));
    return { blob: new Blob([bytes], { type: type(bytes) }), filename: filename ?? basename(input) };
  }
  if (input instanceof Blob) {
    const name = (input as { name?: unknown }).name;
    return { blob: input, filename: filename ?? (typeof name === "string" && name ? name : "upload") };
  }
  const bytes = toBytes(input);
  return { blob: new Blob([bytes], { type: type(bytes) }), filename: filename ?? "upload" };
}
