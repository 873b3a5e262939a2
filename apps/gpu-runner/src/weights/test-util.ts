// Shared helpers for the weights tests: a per-suite temp dir and hand-built raw files
// (so malformed inputs can be produced byte by byte).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

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
