// Minimal zip reader for PyTorch checkpoints: parses the (zip64-aware) central directory
// and resolves each entry to an absolute byte range, so tensors are read in place by
// offset. Only STORED entries can be read: torch writes its archives uncompressed.
import { closeSync, fstatSync } from "node:fs";
import { ConvertError } from "./errors.js";
import { openForRead, readFully } from "./io.js";

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  size: number;
  compressedSize: number;
  crc32: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
/** EOCD (22) + the longest comment (65535): the record must start within this tail. */
const MAX_TAIL = 22 + 0xffff;

export class ZipReader {
  readonly entries = new Map<string, ZipEntry>();
  readonly #dataOffsets = new Map<string, number>();
  #fd: number | null;

  private constructor(
    readonly path: string,
    fd: number,
    readonly size: number,
  ) {
    this.#fd = fd;
  }

  static open(path: string): ZipReader {
    const fd = openForRead(path, "checkpoint");
    try {
      const zip = new ZipReader(path, fd, fstatSync(fd).size);
      zip.#readCentralDirectory();
      return zip;
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Absolute offset of the entry's data; checks it is stored and lies inside the file. */
  dataOffset(entry: ZipEntry): number {
    const known = this.#dataOffsets.get(entry.name);
    if (known !== undefined) return known;
    if (entry.method !== 0) {
      throw new ConvertError(
        "bad_zip",
        `${this.path}: entry ${entry.name} is compressed (method ${entry.method}); torch writes checkpoints uncompressed — was the file re-zipped?`,
      );
    }
    if (entry.flags & 1) throw new ConvertError("bad_zip", `${this.path}: entry ${entry.name} is encrypted`);
    const h = Buffer.from(this.read(entry.localHeaderOffset, 30));
    if (h.readUInt32LE(0) !== LOCAL_SIG) {
      throw new ConvertError(
        "bad_zip",
        `${this.path}: entry ${entry.name}: no local header at ${entry.localHeaderOffset}`,
      );
    }
    const offset = entry.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
    if (offset + entry.size > this.size) {
      throw new ConvertError(
        "truncated",
        `${this.path}: truncated: entry ${entry.name} needs bytes up to ${offset + entry.size}, the file has ${this.size}`,
      );
    }
    this.#dataOffsets.set(entry.name, offset);
    return offset;
  }

  /** `length` bytes at an absolute offset. */
  read(position: number, length: number, into?: Uint8Array): Uint8Array {
    if (this.#fd === null) throw new ConvertError("io_error", `${this.path}: file is closed`);
    return readFully(this.#fd, into ?? new Uint8Array(length), position, this.path);
  }

  /** A whole (small) entry, e.g. `data.pkl`. */
  readEntry(entry: ZipEntry): Uint8Array {
    return this.read(this.dataOffset(entry), entry.size);
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  #readCentralDirectory(): void {
    const tailLen = Math.min(this.size, MAX_TAIL);
    const tail = Buffer.from(this.read(this.size - tailLen, tailLen));
    let at = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIG) {
        at = i;
        break;
      }
    }
    if (at < 0) throw this.#noDirectory();
    let count = tail.readUInt16LE(at + 10);
    let cdSize = tail.readUInt32LE(at + 12);
    let cdOffset = tail.readUInt32LE(at + 16);
    if (tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0) {
      throw new ConvertError("bad_zip", `${this.path}: multi-disk zip archives are not supported`);
    }
    // Any field saturated means the real values are in the zip64 record (large checkpoints).
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locAt = this.size - tailLen + at - 20;
      const loc = Buffer.from(this.read(locAt, 20));
      if (loc.readUInt32LE(0) !== ZIP64_LOCATOR_SIG) throw this.#noDirectory();
      const z = Buffer.from(this.read(Number(loc.readBigUInt64LE(8)), 56));
      if (z.readUInt32LE(0) !== ZIP64_EOCD_SIG) throw new ConvertError("bad_zip", `${this.path}: bad zip64 record`);
      count = Number(z.readBigUInt64LE(32));
      cdSize = Number(z.readBigUInt64LE(40));
      cdOffset = Number(z.readBigUInt64LE(48));
    }
    if (cdOffset + cdSize > this.size) throw this.#noDirectory();
    const cd = Buffer.from(this.read(cdOffset, cdSize));
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL_SIG) {
        throw new ConvertError("bad_zip", `${this.path}: corrupt central directory at entry ${i}`);
      }
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const e: ZipEntry = {
        name: cd.toString("utf8", p + 46, p + 46 + nameLen),
        flags: cd.readUInt16LE(p + 8),
        method: cd.readUInt16LE(p + 10),
        crc32: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        localHeaderOffset: cd.readUInt32LE(p + 42),
      };
      applyZip64Extra(e, cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen));
      this.entries.set(e.name, e);
      p += 46 + nameLen + extraLen + commentLen;
    }
  }

  #noDirectory(): ConvertError {
    return new ConvertError(
      "truncated",
      `${this.path}: truncated or not a zip: no complete end-of-central-directory record (${this.size} bytes; an interrupted download or copy?)`,
    );
  }
}

/** The zip64 extra field (id 1) holds, in order, whichever of the three fields saturated. */
function applyZip64Extra(e: ZipEntry, extra: Buffer): void {
  for (let q = 0; q + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(q);
    const len = extra.readUInt16LE(q + 2);
    if (id === 1) {
      let r = q + 4;
      const next = () => {
        const v = Number(extra.readBigUInt64LE(r));
        r += 8;
        return v;
      };
      if (e.size === 0xffffffff) e.size = next();
      if (e.compressedSize === 0xffffffff) e.compressedSize = next();
      if (e.localHeaderOffset === 0xffffffff) e.localHeaderOffset = next();
    }
    q += 4 + len;
  }
}
