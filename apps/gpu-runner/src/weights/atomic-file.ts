// Files that are complete or absent: written under a temporary name and renamed into place
// only after the last byte, so an interrupted writer never leaves a file that looks whole.
import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";

/** `body` appends the file's bytes in order through `write`; throwing removes the partial file. */
export function writeFileAtomically(path: string, body: (write: (bytes: Uint8Array) => void) => void): void {
  const tmp = `${path}.partial-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    body((buf) => {
      for (let done = 0; done < buf.length; ) done += writeSync(fd, buf, done, buf.length - done);
    });
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
}
