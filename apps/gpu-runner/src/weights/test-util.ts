// Shared helpers for the weights tests: a per-suite temp dir and hand-built raw files
// (so malformed inputs can be produced byte by byte).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { WeightsError } from "./errors.js";

/** A fresh temp dir removed after the suite. */
export function tempDir(prefix = "mmgpt-weights-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes [u64 header length][header][data]; `headerLength` overrides the declared length. */
export function writeRawSafetensors(
  path: string,
  header: string | object,
  data: Uint8Array = new Uint8Array(0),
  headerLength?: bigint,
): string {
  const json = Buffer.from(typeof header === "string" ? header : JSON.stringify(header), "utf8");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(headerLength ?? BigInt(json.length));
  writeFileSync(path, Buffer.concat([len, json, data]));
  return path;
}

/** Writes arbitrary bytes (for files that are not even framed like safetensors). */
export function writeBytes(path: string, bytes: Uint8Array | string): string {
  writeFileSync(path, bytes);
  return path;
}

/** The thrown error, checked to be a WeightsError (fails if nothing or something else was thrown). */
export function weightsErrorOf(fn: () => unknown): WeightsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WeightsError);
    return e as WeightsError;
  }
  throw new Error("expected a WeightsError");
}
