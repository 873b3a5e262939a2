// Builds message parts: `imagePart` turns an https URL, a data URL, a file id, a Blob, bytes or
// (in Node) a path into an `image_url` part; bytes become a data URL with a sniffed media type.
import { toBase64 } from "../core/base64";
import { MMGPTError } from "../core/errors";
import { readPath, toBytes } from "../core/uploads";
import type { ImageContentPart, TextContentPart } from "../types";
import { sniffImageType } from "./mime";

/** An image as a URL (`https:`, `data:`), a file id (`file-…`), a path (Node), a Blob or bytes. */
export type ImageInput = string | Blob | Uint8Array | ArrayBuffer;

const FILE_ID = /^file-[A-Za-z0-9_-]{1,64}$/;

export function textPart(text: string): TextContentPart {
  return { type: "text", text };
}

/** The object form of `image_url` (the API also takes the URL as a plain string). */
type ImageUrlObject = Exclude<ImageContentPart["image_url"], string>;

/** An `image_url` content part for a user message, always in the object form. */
export async function imagePart(
  input: ImageInput,
  options: { detail?: ImageUrlObject["detail"] } = {},
): Promise<ImageContentPart & { image_url: ImageUrlObject }> {
  const url = await imageUrl(input);
  return { type: "image_url", image_url: options.detail ? { url, detail: options.detail } : { url } };
}

async function imageUrl(input: ImageInput): Promise<string> {
  if (typeof input === "string") {
    if (/^(https?:|data:)/i.test(input) || FILE_ID.test(input)) return input;
    return dataUrl(await readPath(input));
  }
  if (input instanceof Blob) return dataUrl(new Uint8Array(await input.arrayBuffer()), input.type);
  return dataUrl(toBytes(input));
}

/** A base64 data URL; the media type comes from the bytes, else from `declared`. */
export function dataUrl(bytes: Uint8Array, declared?: string): string {
  const type = sniffImageType(bytes) ?? (declared?.startsWith("image/") ? declared : undefined);
  if (!type) throw new MMGPTError("Not a JPEG, PNG, WebP or GIF image.");
  return `data:${type};base64,${toBase64(bytes)}`;
}
