// WeightStore: one view over the safetensors files of a model directory (a checkpoint may be
// sharded). A tensor name must live in exactly one file; duplicates are an error, never a
// silent "last file wins".
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { WeightsError } from "./errors.js";
import { openSafetensors, type SafetensorsFile, type TensorInfo } from "./safetensors.js";

export type StoredTensorInfo = TensorInfo & { file: string };

export class WeightStore {
  /** Where the tensors come from, for messages (a directory or a file). */
  readonly source: string;
  readonly files: readonly SafetensorsFile[];
  readonly #index = new Map<string, SafetensorsFile>();

  private constructor(source: string, files: SafetensorsFile[]) {
    this.source = source;
    this.files = files;
    const dups: string[] = [];
    for (const f of files) {
      for (const name of f.tensors.keys()) {
        const first = this.#index.get(name);
        if (first) dups.push(`${name}: in both ${first.path} and ${f.path}`);
        else this.#index.set(name, f);
      }
    }
    if (dups.length > 0) {
      for (const f of files) f.close();
      const more = dups.length > 10 ? `\n  … and ${dups.length - 10} more` : "";
      throw new WeightsError(
        "duplicate_tensor",
        `${source}: ${dups.length} tensor name(s) appear in more than one file:\n  ${dups.slice(0, 10).join("\n  ")}${more}`,
      );
    }
  }

  /** A store over the given safetensors files. */
  static openFiles(paths: readonly string[], source = paths.join(", ")): WeightStore {
    const files: SafetensorsFile[] = [];
    try {
      for (const p of paths) files.push(openSafetensors(p));
    } catch (e) {
      for (const f of files) f.close();
      throw e;
    }
    return new WeightStore(source, files);
  }

  /** A store over a single file, or every `*.safetensors` directly inside a directory. */
  static open(path: string): WeightStore {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (e) {
      throw new WeightsError("not_found", `${path}: no such weights file or directory`, { cause: e });
    }
    if (!isDir) return WeightStore.openFiles([path], path);
    const names = readdirSync(path)
      .filter((n) => n.endsWith(".safetensors"))
      .sort();
    if (names.length === 0) throw new WeightsError("not_found", `${path}: no *.safetensors files in this directory`);
    return WeightStore.openFiles(
      names.map((n) => join(path, n)),
      path,
    );
  }

  has(name: string): boolean {
    return this.#index.has(name);
  }

  /** Sorted, so iteration order does not depend on how the checkpoint was sharded. */
  names(): string[] {
    return [...this.#index.keys()].sort();
  }

  info(name: string): StoredTensorInfo {
    const f = this.#file(name);
    return { ...f.info(name), file: f.path };
  }

  read(name: string): Float32Array {
    return this.#file(name).readTensor(name);
  }

  readRaw(name: string): Uint8Array {
    return this.#file(name).readTensorRaw(name);
  }

  /** Integer-dtype findings of every file. */
  warnings(): string[] {
    return this.files.flatMap((f) => f.warnings);
  }

  close(): void {
    for (const f of this.files) f.close();
  }

  #file(name: string): SafetensorsFile {
    const f = this.#index.get(name);
    if (!f) throw new WeightsError("missing_tensor", `${this.source}: no tensor named ${name}`);
    return f;
  }
}
