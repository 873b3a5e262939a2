// manifest.json: size and sha256 of every file a conversion wrote, so the runner can refuse
// a model directory that is incomplete, corrupted or mixed with stray weights. A directory
// with its own manifest (an adapter in `lora/`) is covered by that manifest instead.
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { ConvertError } from "./errors.js";

export const MANIFEST = "manifest.json";
const FORMAT = "mmgpt-manifest/1";

export interface ManifestEntry {
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: string;
  files: Record<string, ManifestEntry>;
}

/** Files whose presence changes what the runner loads: they must be covered by a manifest. */
const guarded = (name: string) => name.endsWith(".safetensors") || name === "config.json";

/** Streams the file through sha256 in 8 MiB chunks (weights are far larger than memory allows). */
export function sha256File(path: string): string {
  const hash = createHash("sha256");
  const buf = Buffer.allocUnsafe(8 << 20);
  const fd = openSync(path, "r");
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** Lists every file under `dir` (recursively) except manifests and subdirectories that carry their own. */
function ownFiles(dir: string, nested: string[] = [], root = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (existsSync(join(p, MANIFEST))) nested.push(p);
      else out.push(...ownFiles(p, nested, root));
    } else if (e.name !== MANIFEST) out.push(relative(root, p).split(sep).join("/"));
  }
  return out.sort();
}

/** Hashes every file of `dir` (nested manifests' directories excluded) into `dir/manifest.json`. */
export function writeManifest(dir: string): Manifest {
  const files: Record<string, ManifestEntry> = {};
  for (const f of ownFiles(dir)) {
    const p = join(dir, f);
    files[f] = { bytes: statSync(p).size, sha256: sha256File(p) };
  }
  const manifest = { format: FORMAT, files };
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Checks every listed file (present, same size, same sha256), that no weights or config
 * file escapes the manifest, and recursively every nested manifest. Throws naming the file.
 */
export function verifyManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST);
  const fail = (msg: string) => new ConvertError("manifest_mismatch", `${dir}: ${msg}`);
  if (!existsSync(path)) throw fail(`no ${MANIFEST}: not a converted model (or the conversion did not finish)`);
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw fail(`${MANIFEST} is not valid JSON (${(e as Error).message})`);
  }
  if (m?.format !== FORMAT || typeof m.files !== "object") throw fail(`${MANIFEST} is not a ${FORMAT} manifest`);
  for (const [f, want] of Object.entries(m.files)) {
    const p = join(dir, f);
    if (!existsSync(p)) throw fail(`${f} is missing`);
    const size = statSync(p).size;
    if (size !== want.bytes) throw fail(`${f} has ${size} bytes, the manifest says ${want.bytes}`);
    if (sha256File(p) !== want.sha256) throw fail(`${f} does not match its sha256 in ${MANIFEST} (corrupted?)`);
  }
  const nested: string[] = [];
  const stray = ownFiles(dir, nested).filter((f) => guarded(f.split("/").pop()!) && !Object.hasOwn(m.files, f));
  if (stray.length > 0) throw fail(`not in ${MANIFEST}: ${stray.join(", ")} (left over from another model?)`);
  for (const sub of nested) verifyManifest(sub);
  return m;
}
