// Loads the built CJS bundle in a bare V8 context that has only web-platform globals (no
// `process`, `Buffer` or working `require`), like a browser or a Worker, and uses it there.
import { createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import type * as SDK from "../src/index";

const BUNDLE = new URL("../dist/index.cjs", import.meta.url);

function loadInBareContext(): typeof SDK {
  const module = { exports: {} as typeof SDK };
  const web = {
    ...{ fetch, Headers, Request, Response, URL, URLSearchParams, AbortController, AbortSignal, FormData, Blob, File },
    ...{ TextEncoder, TextDecoder, ReadableStream, DOMException, crypto, atob, btoa, setTimeout, clearTimeout },
    ...{ console, Event, EventTarget },
  };
  const require = (id: string) => {
    throw new Error(`require(${id}) is not available here`);
  };
  runInNewContext(readFileSync(BUNDLE, "utf8"), { ...web, module, exports: module.exports, require });
  return module.exports;
}

describe.skipIf(!existsSync(BUNDLE))("the built bundle without Node globals", () => {
  it("loads, streams a chat completion, builds image parts and verifies webhooks", async () => {
    const sdk = loadInBareContext();
    const chunk = { choices: [{ index: 0, delta: { content: "hi" }, logprobs: null, finish_reason: null }] };
    const body = `data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`;
    const fetch = async () => new Response(body, { headers: { "content-type": "text/event-stream" } });
    const client = new sdk.MMGPT({ apiKey: "k", baseURL: "https://api.test", fetch });
    const stream = await client.chat.completions.create({ model: "m", messages: [], stream: true });
    expect(await stream.text()).toBe("hi");

    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect((await sdk.imagePart(png)).image_url.url).toBe("data:image/png;base64,iVBORw0KGgo=");
    await expect(sdk.imagePart("./cat.png")).rejects.toThrow(/needs Node/);

    const ts = String(Math.floor(Date.now() / 1000));
    const signature = createHmac("sha256", Buffer.from("secret")).update(`evt_1.${ts}.{}`).digest("base64");
    const headers = { "webhook-id": "evt_1", "webhook-timestamp": ts, "webhook-signature": `v1,${signature}` };
    await expect(sdk.verifyWebhook("{}", headers, `whsec_${btoa("secret")}`)).resolves.toEqual({});
  });

  it("does not read a missing environment", () => {
    const sdk = loadInBareContext();
    expect(() => new sdk.MMGPT({ baseURL: "https://api.test" })).toThrow(/MMGPT_API_KEY/);
  });
});
