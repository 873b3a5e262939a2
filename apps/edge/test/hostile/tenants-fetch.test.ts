// Issue #15 item 5, image fetches: one request must not keep the edge fetching. The same image
// named again under another #fragment is fetched once; however many URLs a request names, its
// fetches share one time budget (not FETCH_TIMEOUT_MS each, one after the other), and no route
// resolves more than LIMITS.maxImagesPerRequest distinct images.
import { env } from "cloudflare:test";
import { LIMITS } from "@mmgpt/schema";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors/api-error";
import { RequestImages } from "../../src/vision/request-images";
import { chatBody, Edge } from "../helpers/edge";
import { dataUrl, png } from "../helpers/images";

/** A chat of `urls`, one image per user turn (assistant turns between), all in one request. */
function manyImages(urls: string[]) {
  const messages = urls.flatMap((url, i) => [
    { role: "user", content: [{ type: "image_url", image_url: { url } }] },
    ...(i < urls.length - 1 ? [{ role: "assistant", content: "ok" }] : []),
  ]);
  return { ...chatBody("?"), messages };
}

describe("hostile input: image fetches per request", () => {
  it("fetches an image named under sixteen #fragments once", async () => {
    const bytes = await png(32, 32);
    const fetched: string[] = [];
    const edge = new Edge({
      imageFetch: async (input) => {
        fetched.push(new Request(input).url);
        return new Response(bytes, { headers: { "content-type": "image/png" } });
      },
    });
    const { key } = await edge.newKey();
    const urls = Array.from({ length: LIMITS.maxImagesPerRequest }, (_, i) => `https://images.test/cat.png#${i}`);
    const res = await edge.fetch("/v1/chat/completions", { method: "POST", key, json: manyImages(urls) });
    expect(res.status).toBe(200);
    expect(fetched).toHaveLength(1);
  });

  it("gives all of a request's fetches one time budget", async () => {
    const bytes = await png(16, 16);
    const fetched: string[] = [];
    // Every host answers, slowly: each fetch alone is well within FETCH_TIMEOUT_MS.
    const slow: typeof fetch = async (input) => {
      fetched.push(new Request(input).url);
      await new Promise((r) => setTimeout(r, 150));
      return new Response(bytes, { headers: { "content-type": "image/png" } });
    };
    const deps = { runnerFetch: fetch, imageFetch: slow, webhookFetch: fetch };
    const images = new RequestImages(env, deps, "acct_slow", 400);
    const urls = Array.from({ length: 8 }, (_, i) => ({
      url: `https://images.test/slow-${i}.png`,
      param: `images.${i}`,
    }));
    const error = await images.resolveAll(urls).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "image_fetch_failed", message: expect.stringMatching(/timed out|400 ms/) });
    // The budget ran out part way: the remaining hosts were never asked.
    expect(fetched.length).toBeGreaterThanOrEqual(2);
    expect(fetched.length).toBeLessThan(8);
  });

  it("resolves at most LIMITS.maxImagesPerRequest distinct images, whichever route asks", async () => {
    const deps = { runnerFetch: fetch, imageFetch: fetch, webhookFetch: fetch };
    const images = new RequestImages(env, deps, "acct_many");
    const urls = await Promise.all(
      Array.from({ length: LIMITS.maxImagesPerRequest + 1 }, async (_, i) => ({
        url: dataUrl(await png(8 + i, 8)),
        param: `images.${i}`,
      })),
    );
    const error = await images.resolveAll(urls).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "invalid_request_error", param: `images.${LIMITS.maxImagesPerRequest}` });
  });
});
