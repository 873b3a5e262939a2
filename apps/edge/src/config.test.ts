// The edge configuration: defaults valid, every bad value reported at once by name (secrets
// never echoed), and every variable documented in the edge README.

import { describe, expect, it } from "vitest";
import readme from "../README.md?raw";
import { EdgeConfigError, loadEdgeConfig, VAR_DOCS } from "./config";

const REQUIRED = {
  RUNNER_URLS: "http://runner.test",
  RUNNER_SECRET: "0123456789abcdef",
  WEBHOOK_SECRET_KEY: "webhook-key-0123456789",
};

function problems(vars: Record<string, string>): string[] {
  try {
    loadEdgeConfig(vars);
  } catch (error) {
    if (error instanceof EdgeConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("edge configuration", () => {
  it("applies the documented defaults, and the edge README documents every variable", () => {
    const config = loadEdgeConfig({ ...REQUIRED, ADMIN_TOKEN: "admin-token-0123456789" });
    expect(config).toEqual({
      runnerUrls: ["http://runner.test"],
      runnerTimeoutMs: 120_000,
      runnerStallMs: 30_000,
      sseKeepAliveMs: 15_000,
      generationLeaseMs: 30_000,
      idempotencyLeaseMs: 30_000,
      runnerSecret: "0123456789abcdef",
      rateLimit: { perSecond: 10, burst: 60 },
      tokenLimit: { perSecond: 5000, burst: 40_000 },
      models: [],
      batchConcurrency: 4,
      batchAccountLines: 16,
      webhooksAllowLoopback: false,
      adminToken: "admin-token-0123456789",
      webhookSecretKeys: { current: "webhook-key-0123456789", previous: [] },
      corsOrigins: [],
      tenantKeySecret: "webhook-key-0123456789",
    });
    for (const name of Object.keys(VAR_DOCS))
      expect(readme, `${name} missing from apps/edge/README.md`).toContain(name);
  });

  it("parses lists and numbers, and an empty value means unset", () => {
    const config = loadEdgeConfig({
      ...REQUIRED,
      RUNNER_URLS: " http://a.test/ , https://b.test:8443// ",
      MODELS: "mmgpt-tiny, mmgpt-9b",
      RUNNER_TIMEOUT_MS: "50",
      RATE_LIMIT_PER_MINUTE: "6",
      RATE_LIMIT_BURST: "3",
      BATCH_CONCURRENCY: "",
      WEBHOOKS_ALLOW_LOOPBACK: "true",
      CORS_ORIGINS: "https://App.example, http://127.0.0.1:5173",
      ADMIN_TOKEN: "",
      WEBHOOK_SECRET_KEY_PREVIOUS: "old-webhook-key-0123456789, older-webhook-key-0123456789",
    });
    expect(config).toMatchObject({
      runnerUrls: ["http://a.test", "https://b.test:8443"],
      models: ["mmgpt-tiny", "mmgpt-9b"],
      runnerTimeoutMs: 50,
      rateLimit: { perSecond: 0.1, burst: 3 },
      batchConcurrency: 4,
      webhooksAllowLoopback: true,
      corsOrigins: ["https://app.example", "http://127.0.0.1:5173"],
      adminToken: null,
      webhookSecretKeys: {
        current: "webhook-key-0123456789",
        previous: ["old-webhook-key-0123456789", "older-webhook-key-0123456789"],
      },
    });
  });

  it("CORS_ORIGINS: `*` alone allows any origin", () => {
    expect(
      loadEdgeConfig({ ...REQUIRED, ADMIN_TOKEN: "admin-token-0123456789", CORS_ORIGINS: " * " }).corsOrigins,
    ).toBe("*");
  });

  it("accepts a bucket large enough to switch the limit off (the overhead benchmark does)", () => {
    const config = loadEdgeConfig({
      ...REQUIRED,
      ADMIN_TOKEN: "admin-token-0123456789",
      RATE_LIMIT_PER_MINUTE: "100000000",
      RATE_LIMIT_BURST: "1000000",
    });
    expect(config.rateLimit.burst).toBe(1_000_000);
  });

  it("reports every bad value at once, by name, without echoing secrets", () => {
    const found = problems({
      RUNNER_URLS: "http://ok.test, ftp://nope",
      RUNNER_SECRET: "short-secret",
      RUNNER_TIMEOUT_MS: "2m",
      RATE_LIMIT_PER_MINUTE: "0",
      RATE_LIMIT_BURST: "1.5",
      MODELS: "ok, bad id",
      BATCH_CONCURRENCY: "1000",
      WEBHOOKS_ALLOW_LOOPBACK: "yes",
      CORS_ORIGINS: "*, https://app.example/",
      ADMIN_TOKEN: "tiny-admin",
      WEBHOOK_SECRET_KEY: "webhook-key-0123456789",
    });
    expect(found.map((p) => /^[A-Z_]+/.exec(p)![0])).toEqual([
      "RUNNER_URLS",
      "RUNNER_TIMEOUT_MS",
      "RUNNER_SECRET",
      "RATE_LIMIT_PER_MINUTE",
      "RATE_LIMIT_BURST",
      "MODELS",
      "BATCH_CONCURRENCY",
      "WEBHOOKS_ALLOW_LOOPBACK",
      "CORS_ORIGINS",
      "CORS_ORIGINS",
      "ADMIN_TOKEN",
    ]);
    expect(found[0]).toBe('RUNNER_URLS="ftp://nope": expected an http(s) URL');
    expect(found).toContain('RUNNER_TIMEOUT_MS="2m": expected an integer from 1 to 3600000');
    const text = found.join("\n");
    expect(text).not.toContain("short-secret");
    expect(text).not.toContain("tiny-admin");
  });

  it("requires the runners, their secret, and a webhook key of its own", () => {
    expect(problems({})).toEqual([
      "RUNNER_URLS: required, comma-separated http(s) base URLs",
      "RUNNER_SECRET: required (the runner's RUNNER_SECRET)",
      "WEBHOOK_SECRET_KEY: required (it encrypts webhook signing secrets; not the admin token)",
    ]);
    // The admin token is no stand-in for the key, and cannot be the key either.
    expect(problems({ ...REQUIRED, WEBHOOK_SECRET_KEY: "", ADMIN_TOKEN: "admin-token-0123456789" })).toEqual([
      "WEBHOOK_SECRET_KEY: required (it encrypts webhook signing secrets; not the admin token)",
    ]);
    expect(
      problems({ ...REQUIRED, WEBHOOK_SECRET_KEY: "admin-token-0123456789", ADMIN_TOKEN: "admin-token-0123456789" }),
    ).toEqual(["WEBHOOK_SECRET_KEY: must differ from ADMIN_TOKEN (each rotates on its own)"]);
    expect(problems({ ...REQUIRED, WEBHOOK_SECRET_KEY_PREVIOUS: "short" })).toEqual([
      "WEBHOOK_SECRET_KEY_PREVIOUS: each key at least 16 characters",
    ]);
  });
});
