// imagePart for each input kind: URLs and file ids kept, bytes/Blob/path turned into data URLs.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GIF, JPEG, PNG, WEBP } from "../../test/fixtures";
import { MMGPTError } from "../core/errors";
import { imagePart, textPart } from "./images";

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const part = (url: string) => ({ type: "image_url", image_url: { url } });

describe("imagePart", () => {
  it("keeps https URLs, data URLs and file ids as they are", async () => {
    for (const url of ["https://example.com/cat.jpg", `data:image/png;base64,${b64(PNG)}`, "file-8a41c2f07d"]) {
      expect(await imagePart(url)).toEqual(part(url));
    }
  });

  it.each([
    ["JPEG", JPEG, "image/jpeg"],
    ["PNG", PNG, "image/png"],
    ["WebP", WEBP, "image/webp"],
    ["GIF", GIF, "image/gif"],
  ])("turns %s bytes into a data URL with the sniffed type", async (_, bytes, type) => {
    expect(await imagePart(bytes)).toEqual(part(`data:${type};base64,${b64(bytes)}`));
  });

  it("accepts a Buffer, an ArrayBuffer and a Blob", async () => {
    const expected = part(`data:image/png;base64,${b64(PNG)}`);
    expect(await imagePart(Buffer.from(PNG))).toEqual(expected);
    expect(await imagePart(PNG.slice().buffer)).toEqual(expected);
    expect(await imagePart(new Blob([PNG]))).toEqual(expected);
  });

  it("reads a path in Node", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mmgpt-img-"));
    const path = join(dir, "file-shot.jpg");
    await writeFile(path, JPEG);
    expect(await imagePart(path)).toEqual(part(`data:image/jpeg;base64,${b64(JPEG)}`));
  });

  it("passes detail through", async () => {
    expect(await imagePart("file-1", { detail: "low" })).toEqual({
      type: "image_url",
      image_url: { url: "file-1", detail: "low" },
    });
  });

  it("rejects bytes that are not a supported image", async () => {
    await expect(imagePart(new TextEncoder().encode("hello"))).rejects.toBeInstanceOf(MMGPTError);
  });

  it("encodes large images", async () => {
    const big = new Uint8Array(200_000);
    big.set(PNG);
    expect((await imagePart(big)).image_url.url).toBe(`data:image/png;base64,${b64(big)}`);
  });
});

describe("textPart", () => {
  it("builds a text part", () => {
    expect(textPart("What is this?")).toEqual({ type: "text", text: "What is this?" });
  });
});
