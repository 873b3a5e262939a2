// Bad input never produces a 500: malformed bodies, wrong content types, wrong shapes and odd
// paths all end in a 4xx with the error envelope.
import { describe, expect, it } from "vitest";
import { Edge } from "./helpers/edge";

const CASES: Array<[string, string, RequestInit]> = [
  ["no body", "/v1/chat/completions", { method: "POST" }],
  [
    "text/plain body",
    "/v1/chat/completions",
    { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" },
  ],
  [
    "JSON null",
    "/v1/chat/completions",
    { method: "POST", headers: { "content-type": "application/json" }, body: "null" },
  ],
  [
    "JSON array",
    "/v1/chat/completions",
    { method: "POST", headers: { "content-type": "application/json" }, body: "[]" },
  ],
  [
    "messages not an array",
    "/v1/chat/completions",
    { method: "POST", headers: { "content-type": "application/json" }, body: '{"model":"m","messages":"hi"}' },
  ],
  [
    "an unknown role",
    "/v1/chat/completions",
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"model":"m","messages":[{"role":"tool","content":"x"}]}',
    },
  ],
  [
    "only a system message",
    "/v1/chat/completions",
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"model":"m","messages":[{"role":"system","content":"x"}]}',
    },
  ],
  [
    "an assistant message first",
    "/v1/chat/completions",
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"model":"m","messages":[{"role":"assistant","content":"x"},{"role":"user","content":"y"}]}',
    },
  ],
  ["a bad limit", "/v1/conversations?limit=0", {}],
  ["a non-numeric limit", "/v1/files?limit=abc", {}],
  ["a bad purpose", "/v1/files?purpose=nope", {}],
  ["a multipart upload without a file", "/v1/files", { method: "POST", body: new FormData() }],
  ["GET on a POST-only route", "/v1/chat/completions", {}],
  ["a conversation id with a slash", "/v1/conversations/conv_a%2Fb", {}],
  [
    "metadata with too many keys",
    "/v1/conversations",
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])) }),
    },
  ],
];

describe("bad input", () => {
  it.each(CASES)("%s → 4xx envelope", async (_name, path, init) => {
    const edge = new Edge();
    const { key } = await edge.newKey();
    const res = await edge.fetch(path, { ...init, key });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const body = (await res.json()) as { error: { type: string; code: string; request_id: string } };
    expect(body.error.request_id).toBe(res.headers.get("x-request-id"));
  });
});
