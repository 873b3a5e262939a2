// Hostile and odd images through the public API (chat data URLs, https URLs, file uploads):
// each is a clean 4xx with a useful message or a correct result, never a 500.
import { describe, expect, it } from "vitest";
import { chatBody, Edge } from "./helpers/edge";
import { animatedGif, dataUrl, forgedPng, png } from "./helpers/images";
import { vectorFile } from "./helpers/vectors";

async function setup(imageFetch?: typeof fetch) {
  const edge = new Edge({ imageFetch });
  const { key } = await edge.newKey();
  const chatWith = (url: string) =>
    edge.fetch("/v1/chat/completions", {
      method: "POST",
      key,
      json: chatBody([
        { type: "text", text: "?" },
        { type: "image_url", image_url: { url } },
      ]),
    });
  const upload = (bytes: Uint8Array, type: string, name = "x") => {
    const form = new FormData();
    form.append("purpose", "vision");
    form.append("file", new File([bytes], name, { type }));
    return edge.fetch("/v1/files", { method: "POST", key, body: form });
  };
  return { edge, chatWith, upload, runner: edge.runners.get() };
}

async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string; param: string | null } };
  return { status: res.status, ...body.error };
}

const SVG = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');

describe("bad images in chat", () => {
  it.each([
    ["a truncated JPEG", () => vectorFile("images/jpeg-large.jpg").slice(0, 2000), "image/jpeg", "invalid_image"],
    ["a PNG declaring 50000x50000", () => forgedPng(50_000, 50_000), "image/png", "invalid_image"],
    ["SVG bytes labelled PNG", () => SVG, "image/png", "invalid_image"],
    ["random bytes", () => crypto.getRandomValues(new Uint8Array(512)).fill(0x42, 0, 8), "image/png", "invalid_image"],
  ])("%s → 400 %s", async (_name, bytes, type, code) => {
    const { chatWith, runner } = await setup();
    const error = await errorOf(await chatWith(dataUrl(bytes(), type)));
    expect(error).toMatchObject({ status: 400, code, param: "messages.0.content.1.image_url.url" });
    expect(error.message.length).toBeGreaterThan(10);
    expect(runner.calls).toHaveLength(0);
  });

  it.each([
    ["an empty data URL", "data:image/png;base64,"],
    ["an SVG data URL", dataUrl(SVG, "image/svg+xml")],
    ["a plain http URL", "http://example.com/cat.png"],
  ])("%s → 400 from the contract", async (_name, url) => {
    const { chatWith } = await setup();
    expect(await errorOf(await chatWith(url))).toMatchObject({
      status: 400,
      code: "invalid_request_error",
      param: "messages.0.content.1.image_url.url",
    });
  });

  it("decodes by content, not by the declared type (a PNG sent as image/jpeg works)", async () => {
    const { chatWith, runner } = await setup();
    const res = await chatWith(dataUrl(await png(32, 32), "image/jpeg"));
    expect(res.status).toBe(200);
    expect(runner.images.size).toBe(1);
  });

  it("uses the first frame of an animated GIF", async () => {
    const { chatWith, runner } = await setup();
    expect((await chatWith(dataUrl(animatedGif(16, 16, [0xff0000, 0x0000ff]), "image/gif"))).status).toBe(200);
    expect((await chatWith(dataUrl(animatedGif(16, 16, [0xff0000]), "image/gif"))).status).toBe(200);
    const [a, b] = runner.generateCalls.filter((_, i) => i % 2 === 0).map((r) => r.turns[0].images![0]);
    expect(a).toBe(b); // same pixels as the red first frame alone
    const rgb = runner.images.get(a!)!;
    expect([...rgb.slice(0, 3)]).toEqual([255, 0, 0]);
  });

  it.each([
    ["a 1x1 pixel", 1, 1],
    ["a 10000x20 strip", 10_000, 20],
  ])("accepts %s", async (_name, width, height) => {
    const { chatWith, runner } = await setup();
    const res = await chatWith(dataUrl(await png(width, height)));
    expect(res.status).toBe(200);
    expect([...runner.images.values()][0]).toHaveLength(224 * 224 * 3);
  });

  it("fetches https URLs with the safe fetcher, and reports fetch failures as 400", async () => {
    const image = await png(20, 20);
    const { chatWith } = await setup(async (input) =>
      String(input).endsWith("/ok.png") ? new Response(image) : new Response("gone", { status: 404 }),
    );
    expect((await chatWith("https://images.test/ok.png")).status).toBe(200);
    expect(await errorOf(await chatWith("https://images.test/missing.png"))).toMatchObject({
      status: 400,
      code: "image_fetch_failed",
    });
  });
});

describe("bad images as uploads", () => {
  it.each([
    ["zero bytes", () => new Uint8Array(0), "image/png", "invalid_image"],
    ["a truncated JPEG", () => vectorFile("images/jpeg-large.jpg").slice(0, 2000), "image/jpeg", "invalid_image"],
    ["a PNG declaring 50000x50000", () => forgedPng(50_000, 50_000), "image/png", "invalid_image"],
    // The declared type is never trusted: the bytes are what fails.
    ["an SVG", () => SVG, "image/svg+xml", "invalid_image"],
    ["a text file", () => new TextEncoder().encode("hello"), "text/plain", "invalid_image"],
    [
      "a text file sent as octet-stream",
      () => new TextEncoder().encode("hello"),
      "application/octet-stream",
      "invalid_image",
    ],
  ])("%s → 400 %s", async (_name, bytes, type, code) => {
    const { upload } = await setup();
    expect(await errorOf(await upload(bytes(), type))).toMatchObject({ status: 400, code, param: "file" });
  });

  it("records the sniffed type and the upright size", async () => {
    const { upload } = await setup();
    const res = await upload(await png(30, 10), "image/jpeg", "wide.jpg");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ width: 30, height: 10, purpose: "vision", filename: "wide.jpg" });
  });
});
