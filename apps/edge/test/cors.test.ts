// CORS (CORS_ORIGINS): preflights answered before authentication for the headers OpenAI clients
// send, every response of an allowed origin readable (errors and streams included), and other
// origins, or none configured, left without the allow headers so the browser blocks them.
import { describe, expect, it } from "vitest";
import { chatBody, Edge, sseData } from "./helpers/edge";

const APP = "https://app.example";
// What the `openai` client sends from a browser (its x-stainless-* set, idempotency on POSTs).
const OPENAI_HEADERS =
  "authorization,content-type,idempotency-key,openai-organization,openai-project,x-stainless-arch,x-stainless-lang,x-stainless-os,x-stainless-package-version,x-stainless-retry-count,x-stainless-runtime,x-stainless-runtime-version,x-stainless-timeout";

function preflight(edge: Edge, path: string, origin: string, headers = OPENAI_HEADERS) {
  return edge.fetch(path, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": headers },
  });
}

describe("CORS", () => {
  it("answers an allowed origin's preflight with 204 before authentication, allowing the clients' headers", async () => {
    const edge = new Edge({ env: { CORS_ORIGINS: `${APP}, http://localhost:5173` } });
    for (const path of ["/v1/chat/completions", "/v1/files", "/v1/conversations/conv_x/messages", "/v1/models"]) {
      const res = await preflight(edge, path, APP);
      expect(res.status, path).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe(APP);
      expect(res.headers.get("access-control-allow-methods")).toContain("POST");
      expect(res.headers.get("access-control-allow-headers")?.split(", ")).toEqual(OPENAI_HEADERS.split(","));
      expect(Number(res.headers.get("access-control-max-age"))).toBeGreaterThan(0);
      expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    }
  });

  it("leaves other origins, and unknown request headers, without the allow headers", async () => {
    const edge = new Edge({ env: { CORS_ORIGINS: APP } });
    const other = await preflight(edge, "/v1/chat/completions", "https://evil.example");
    expect(other.status).toBe(204);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const header = await preflight(edge, "/v1/chat/completions", APP, "authorization,x-evil");
    expect(header.headers.get("access-control-allow-origin")).toBeNull();
    // An instrumented app's tracing headers are harmless and allowed.
    const traced = await preflight(edge, "/v1/chat/completions", APP, "authorization,traceparent,baggage,sentry-trace");
    expect(traced.headers.get("access-control-allow-headers")).toBe(
      "authorization, traceparent, baggage, sentry-trace",
    );
    const { key } = await edge.newKey();
    const res = await edge.fetch("/v1/models", { key, headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("vary")).toContain("Origin");
  });

  it("allows no browser origin by default (production)", async () => {
    const edge = new Edge();
    const res = await preflight(edge, "/v1/chat/completions", APP);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("makes errors, JSON answers and streams readable, with the ids and rate-limit headers exposed", async () => {
    const edge = new Edge({ env: { CORS_ORIGINS: "*" } });
    const { key } = await edge.newKey();
    const origin = { origin: APP };

    const unauthorized = await edge.fetch("/v1/models", { headers: origin });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("access-control-allow-origin")).toBe("*");
    const missing = await edge.fetch("/v1/nope", { key, headers: origin });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("access-control-allow-origin")).toBe("*");

    const stream = await edge.fetch("/v1/chat/completions", {
      method: "POST",
      key,
      headers: origin,
      json: chatBody("Hi", { stream: true }),
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("access-control-allow-origin")).toBe("*");
    const exposed = stream.headers.get("access-control-expose-headers")?.split(", ") ?? [];
    for (const name of ["x-request-id", "x-ratelimit-remaining-requests", "retry-after", "x-should-retry"]) {
      expect(exposed).toContain(name);
    }
    // A generation's token headers are readable too, and present on the stream.
    for (const kind of ["limit", "remaining", "reset"]) {
      expect(exposed).toContain(`x-ratelimit-${kind}-tokens`);
      expect(stream.headers.get(`x-ratelimit-${kind}-tokens`)).not.toBeNull();
    }
    expect(sseData(await stream.text()).at(-1)).toBe("[DONE]");
    await edge.settle();
  });
});
