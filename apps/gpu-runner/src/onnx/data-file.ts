// The builder's own external-data file: tensors computed at build time (LoRA-merged
// weights, quantized blocks, RoPE tables) are appended here, each aligned so ORT can
// read it directly. Written with positioned writes, never held whole in memory.
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { DataSink, ExternalRef } from "./graph-builder.js";

const ALIGN = 64;

export class ExternalDataFile implements DataSink {
  private fd: number | null;
  private size = 0;

  /** `location` is relative to `dir`, the directory holding the .onnx file. */
  constructor(
    dir: string,
    readonly location: string,
  ) {
    this.fd = openSync(join(dir, location), "w");
  }

  append(bytes: Uint8Array): ExternalRef {
    if (this.fd === null) throw new Error(`${this.location} is closed`);
    const pad = (ALIGN - (this.size % ALIGN)) % ALIGN;
    if (pad) {
      writeSync(this.fd, new Uint8Array(pad), 0, pad, this.size);
      this.size += pad;
    }
    const offset = this.size;
    let done = 0;
    while (done < bytes.byteLength) done += writeSync(this.fd, bytes, done, bytes.byteLength - done, offset + done);
    this.size += bytes.byteLength;
    return { location: this.location, offset, length: bytes.byteLength };
  }

  get bytesWritten(): number {
    return this.size;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
