// Client construction: options, MMGPT_API_KEY / MMGPT_BASE_URL from the environment, defaults.
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, json } from "../test/fake-fetch";
import { MMGPT } from "./client";
import { MMGPTError } from "./core/errors";

const models = { object: "list", data: [] };

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("new MMGPT", () => {
  it("reads MMGPT_API_KEY and MMGPT_BASE_URL when the options are omitted", async () => {
    vi.stubEnv("MMGPT_API_KEY", "mmgpt_sk_env");
    vi.stubEnv("MMGPT_BASE_URL", "http://127.0.0.1:8787/");
    const { fetch, requests } = fakeFetch(json(models));
    await new MMGPT({ fetch }).models.list();
    expect(requests[0]!.url).toBe("http://127.0.0.1:8787/v1/models");
    expect(requests[0]!.headers.get("authorization")).toBe("Bearer mmgpt_sk_env");
  });

  it("prefers explicit options over the environment", () => {
    vi.stubEnv("MMGPT_API_KEY", "mmgpt_sk_env");
    vi.stubEnv("MMGPT_BASE_URL", "http://env.test");
    const client = new MMGPT({ apiKey: "k", baseURL: "https://api.test", fetch: fakeFetch().fetch });
    expect(client.baseURL).toBe("https://api.test");
  });

  it("accepts a base URL ending in /v1, as OpenAI clients use", () => {
    const client = new MMGPT({ apiKey: "k", baseURL: "https://api.test/v1/", fetch: fakeFetch().fetch });
    expect(client.baseURL).toBe("https://api.test");
  });

  it("has defaults of 2 retries and a 10 minute timeout", () => {
    const client = new MMGPT({ apiKey: "k", baseURL: "https://api.test", fetch: fakeFetch().fetch });
    expect(client.maxRetries).toBe(2);
    expect(client.timeout).toBe(600_000);
  });

  it("throws a clear error without an API key or base URL", () => {
    vi.stubEnv("MMGPT_API_KEY", "");
    vi.stubEnv("MMGPT_BASE_URL", "");
    expect(() => new MMGPT({ baseURL: "https://api.test" })).toThrow(MMGPTError);
    expect(() => new MMGPT({ apiKey: "k" })).toThrow(/MMGPT_BASE_URL/);
  });
});
