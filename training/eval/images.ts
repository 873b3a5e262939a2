// Turns the split's image references (paths relative to data.jsonl) into the `data:` URLs the
// API takes. The media type comes from the file's first bytes, not its name.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { DataError, type Message } from "./dataset";

const SIGNATURES: [string, number[]][] = [
  ["image/png", [0x89, 0x50, 0x4e, 0x47]],
  ["image/jpeg", [0xff, 0xd8, 0xff]],
  ["image/gif", [0x47, 0x49, 0x46, 0x38]],
];

/** The media type of an encoded image, or null for bytes the API would not decode. */
export function mediaType(bytes: Uint8Array): string | null {
  for (const [type, magic] of SIGNATURES) if (magic.every((b, i) => bytes[i] === b)) return type;
  // RIFF....WEBP
  if (bytes.length >= 12 && String.fromCharCode(...bytes.subarray(0, 4), ...bytes.subarray(8, 12)) === "RIFFWEBP")
    return "image/webp";
  return null;
}

/** Reads each image file once; the same picture is asked about in several turns. */
export class ImageInliner {
  private readonly urls = new Map<string, string>();

  constructor(private readonly baseDir: string) {}

  url(ref: string): string {
    if (ref.startsWith("data:")) return ref;
    const file = resolve(this.baseDir, ref);
    let url = this.urls.get(file);
    if (url === undefined) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (error) {
        throw new DataError(`image ${ref}: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
      }
      const type = mediaType(bytes);
      if (type === null) throw new DataError(`image ${ref}: ${file} is not a PNG, JPEG, GIF or WebP file`);
      url = `data:${type};base64,${bytes.toString("base64")}`;
      this.urls.set(file, url);
    }
    return url;
  }

  /** The messages with every image_url part's URL inlined (a new array; the input is untouched). */
  inline(messages: Message[]): Message[] {
    return messages.map((m) => {
      if (m.role !== "user" || typeof m.content === "string") return m;
      const content = m.content.map((part) =>
        part.type === "image_url"
          ? { ...part, image_url: { ...part.image_url, url: this.url(part.image_url.url) } }
          : part,
      );
      return { ...m, content };
    });
  }
}
