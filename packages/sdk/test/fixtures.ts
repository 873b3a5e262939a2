// Tiny image byte fixtures: just the magic numbers the SDK sniffs, plus padding.

export const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
export const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46]);
export const GIF = new TextEncoder().encode("GIF89a\x01\x00\x01\x00");
export const WEBP = new TextEncoder().encode("RIFF\x24\x00\x00\x00WEBPVP8 ");
