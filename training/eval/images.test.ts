import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Message } from "./dataset";
import { ImageInliner, mediaType } from "./images";

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]);

describe("mediaType", () => {
  it("tells the format from the bytes", () => {
    expect(mediaType(PNG)).toBe("image/png");
    expect(mediaType(JPEG)).toBe("image/jpeg");
    expect(mediaType(new TextEncoder().encode("RIFF\0\0\0\0WEBPVP8 "))).toBe("image/webp");
    expect(mediaType(new TextEncoder().encode("GIF89a"))).toBe("image/gif");
    expect(mediaType(new TextEncoder().encode("not an image"))).toBeNull();
  });
});

describe("ImageInliner", () => {
  const dir = mkdtempSync(join(tmpdir(), "eval-images-"));
  mkdirSync(join(dir, "images"));
  // A JPEG named .png: the bytes decide the media type, not the name.
  writeFileSync(join(dir, "images", "a.png"), JPEG);
  writeFileSync(join(dir, "images", "b.png"), "plain text");

  it("replaces relative image paths with data URLs and leaves text and data URLs alone", () => {
    const messages: Message[] = [
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: "images/a.png" } },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
          { type: "text", text: "Which has more circles?" },
        ],
      },
      { role: "assistant", content: "The first image has more circles." },
      { role: "user", content: "And squares?" },
    ];
    const out = new ImageInliner(dir).inline(messages);
    expect(out[0].content).toEqual([
      { type: "image_url", image_url: { url: `data:image/jpeg;base64,${Buffer.from(JPEG).toString("base64")}` } },
      { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
      { type: "text", text: "Which has more circles?" },
    ]);
    expect(out.slice(1)).toEqual(messages.slice(1));
    // The input keeps its paths: the next turn's request is built from it again.
    expect((messages[0].content as { image_url?: { url: string } }[])[0].image_url?.url).toBe("images/a.png");
  });

  it("names the image that is missing or not an image", () => {
    const inliner = new ImageInliner(dir);
    expect(() => inliner.url("images/missing.png")).toThrow(/image images\/missing.png: cannot read .* \(ENOENT\)/);
    expect(() => inliner.url("images/b.png")).toThrow(/is not a PNG, JPEG, GIF or WebP file/);
  });
});
