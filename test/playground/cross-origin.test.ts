// A browser app on another origin: a page served from its own port (not the edge's) streams a
// reply in Chromium with the unchanged `openai` client (dangerouslyAllowBrowser) and with our
// SDK. It passes only if the edge answers the CORS preflight (before authentication) and puts
// the allow/expose headers on streams and errors (`npm start` sets CORS_ORIGINS=*). Every call
// here sends `authorization` (and the openai client its x-stainless-* headers), so the browser
// asks with a preflight first.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { build, type Rollup } from "vite";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Browser, openBrowser } from "./browser";
import type { Streamed } from "./cross-origin-page";

const chromium = inject("chromium");
const baseURL = inject("baseURL");
const apiKey = inject("apiKey");

/** The page's script: cross-origin-page.ts with `openai` and the SDK, bundled for the browser. */
async function bundlePage(): Promise<string> {
  const output = (await build({
    configFile: false,
    logLevel: "warn",
    root: import.meta.dirname,
    build: {
      write: false,
      minify: false,
      lib: { entry: join(import.meta.dirname, "cross-origin-page.ts"), formats: ["es"], fileName: "page" },
    },
  })) as Rollup.RollupOutput[];
  const chunk = output[0]!.output.find((o): o is Rollup.OutputChunk => o.type === "chunk" && o.isEntry);
  return chunk!.code;
}

/** Serves the page and its script on a free port of 127.0.0.1: another origin than the edge. */
async function servePage(script: string): Promise<{ server: Server; origin: string }> {
  const html =
    '<!doctype html><meta charset="utf-8"><title>cross-origin</title><script type="module" src="/page.js"></script>';
  const server = createServer((req, res) => {
    const [type, body] = req.url === "/page.js" ? ["text/javascript", script] : ["text/html", html];
    res.writeHead(200, { "content-type": `${type}; charset=utf-8` }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

type PageApi = {
  withOpenAI(baseURL: string, apiKey: string): Promise<Streamed>;
  withSdk(baseURL: string, apiKey: string): Promise<Streamed>;
  openAIError(baseURL: string): Promise<Record<string, unknown>>;
  exposedHeaders(baseURL: string, apiKey: string): Promise<Record<string, string | null>>;
};

describe.skipIf(!chromium)("a page on another origin", () => {
  let browser: Browser;
  let page: { server: Server; origin: string };

  beforeAll(async () => {
    page = await servePage(await bundlePage());
    expect(new URL(page.origin).port).not.toBe(new URL(baseURL).port);
    browser = await openBrowser(chromium);
    await browser.page.goto(page.origin);
    await browser.page.waitForFunction(() => "mmgptTest" in globalThis);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => page?.server.close(resolve));
  });

  const call = <K extends keyof PageApi>(name: K, ...args: Parameters<PageApi[K]>) =>
    browser.page.evaluate(
      ([n, a]) =>
        (globalThis as unknown as { mmgptTest: Record<string, (...x: unknown[]) => unknown> }).mmgptTest[n]!(...a),
      [name, args] as const,
    ) as ReturnType<PageApi[K]>;

  it("streams a reply with the openai client", async () => {
    const streamed = await call("withOpenAI", baseURL, apiKey);
    expect(streamed.chunks).toBeGreaterThan(2);
    expect(streamed.text.length).toBeGreaterThan(0);
    expect(streamed.requestId).toMatch(/^req_/); // x-request-id is exposed to the page
  });

  it("streams a reply with the SDK", async () => {
    const streamed = await call("withSdk", baseURL, apiKey);
    expect(streamed.chunks).toBeGreaterThan(2);
    expect(streamed.text.length).toBeGreaterThan(0);
    expect(streamed.requestId).toMatch(/^req_/);
  });

  it("reads an error as an OpenAI error, and the exposed rate-limit headers", async () => {
    expect(await call("openAIError", baseURL)).toMatchObject({
      name: "AuthenticationError",
      status: 401,
      code: "invalid_api_key",
      requestId: expect.stringMatching(/^req_/),
    });
    const headers = await call("exposedHeaders", baseURL, apiKey);
    expect(headers["x-request-id"]).toMatch(/^req_/);
    expect(Number(headers["x-ratelimit-remaining-requests"])).toBeGreaterThanOrEqual(0);
    expect(headers["x-ratelimit-reset-requests"]).toMatch(/s$/);
  });
});
