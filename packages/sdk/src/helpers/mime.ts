// Recognizes the image formats the API accepts from their first bytes (magic numbers), since
// raw bytes carry no media type and a data URL needs one.

export type ImageMediaType = "image/jpeg" | "image/png" | "image/webp" | "image/gif";

const ascii = (bytes: Uint8Array, offset: number, text: string) =>
  bytes.length >= offset + text.length && [...text].every((ch, i) => bytes[offset + i] === ch.charCodeAt(0));

/** The image media type of `bytes`, or undefined when it is none of JPEG, PNG, WebP, GIF. */
export function sniffImageType(bytes: Uint8Array): ImageMediaType | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (bytes[0] === 0x89 && ascii(bytes, 1, "PNG\r\n\x1a\n")) return "image/png";
  if (ascii(bytes, 0, "GIF87a") || ascii(bytes, 0, "GIF89a")) return "image/gif";
  if (ascii(bytes, 0, "RIFF") && ascii(bytes, 8, "WEBP")) return "image/webp";
  return undefined;
}
