// Positioned reads shared by the zip and checkpoint readers: fill a buffer from an offset or
// fail with a "truncated" error naming the file, and open files with errors that say which.
import { openSync, readSync } from "node:fs";
import { ConvertError } from "./errors.js";

/** fs.readSync refuses lengths above 2 GiB - 1: large tensors are read in chunks. */
const MAX_READ = 1 << 30;

export function readFully(fd: number, buf: Uint8Array, position: number, path: string): Uint8Array {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, Math.min(buf.length - done, MAX_READ), position + done);
    if (n === 0) {
      throw new ConvertError("truncated", `${path}: truncated: unexpected end of file at byte ${position + done}`);
    }
    done += n;
  }
  return buf;
}

export function openForRead(path: string, what: string): number {
  try {
    return openSync(path, "r");
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    throw new ConvertError(
      missing ? "not_found" : "io_error",
      `${what} ${path}: cannot open (${(e as Error).message})`,
      {
        cause: e,
      },
    );
  }
}
