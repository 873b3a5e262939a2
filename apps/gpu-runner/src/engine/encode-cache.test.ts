import { describe, expect, it } from "vitest";
import { loadTokenizer } from "../tokenizer/index.js";
import { withEncodeCache } from "./encode-cache.js";

describe("withEncodeCache", () => {
  it("gives the tokenizer's ids, per option, and serves repeats from the cache", async () => {
    const plain = await loadTokenizer();
    const caching = withEncodeCache(plain);
    const cached = caching.forTenant("tenant-a");
    const texts = ["Hello world", " Hello world", "naïve café ☕ 日本語", "", "\n\n### Response:\n"];
    for (const text of texts) {
      for (const options of [undefined, { addDummyPrefix: false }]) {
        expect(cached.encode(text, options)).toEqual(plain.encode(text, options));
        expect(cached.encode(text, options)).toEqual(plain.encode(text, options));
      }
    }
    expect(caching.encodeCache.misses).toBe(texts.length * 2);
    expect(caching.encodeCache.hits).toBe(texts.length * 2);
    // Callers own the array they get: changing it does not change the next answer.
    const ids = cached.encode("Hello world");
    ids.push(1);
    expect(cached.encode("Hello world")).toEqual(plain.encode("Hello world"));
    expect(cached.decode(plain.encode("Hello world"))).toBe("Hello world");
  });

  it("never serves one tenant's entry to another", async () => {
    const plain = await loadTokenizer();
    const caching = withEncodeCache(plain);
    caching.forTenant("tenant-a").encode("You are the secret assistant of ACME.");
    const misses = caching.encodeCache.misses;
    expect(caching.forTenant("tenant-b").encode("You are the secret assistant of ACME.")).toEqual(
      plain.encode("You are the secret assistant of ACME."),
    );
    expect(caching.encodeCache.misses).toBe(misses + 1);
    expect(caching.encodeCache.hits).toBe(0);
  });

  it("stays within its byte budget", async () => {
    const caching = withEncodeCache(await loadTokenizer(), 4096);
    const cached = caching.forTenant("tenant-a");
    for (let i = 0; i < 200; i++) cached.encode(`sentence number ${i} about the sea`);
    expect(caching.encodeCache.bytes).toBeLessThanOrEqual(4096);
    expect(caching.encodeCache.size).toBeLessThan(200);
  });
});
