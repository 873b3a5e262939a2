// Bad input never produces a 500: malformed bodies, wrong content types, wrong shapes and odd
// paths each end in their one status and code, in the error envelope, naming the field.
import { describe, expect, it } from "vitest";
import { Edge } from "./helpers/edge";

type Expected = [status: number, code: string, param: string | null];

const CASES: Array<[string, string, RequestInit, Expected]> = [
  ["no body", "/v1/chat/completions", { method: "POST" }, [400, "invalid_request_error", "model"]],
  [
    "text/plain body",
    "/v1/chat/completions",
    { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" },
    [415, "unsupported_media_type", null],
  ],
  [
    "JSON null",
    "/v1/chat/completions",
    { method: "POST", headers: { "content-type": "application/json" }, body: "null" },
    [400, "invalid_request_error", null],
  ],
  [
    "JSON array",
    "/v1/chat/completions",
    { method: "POST", headers: { "content-type": "application/json" }, body: "[]" },
    [400, "invalid_request_error", null],
  ],
  [
    "messages not an array",
    "/v1/chat/completions",
    { method: "POST", headers: { "content-type": "application/json" }, body: '{"model":"m","messages":"hi"}' },
    [400, "invalid_request_error", "messages"],
  ],
  [
    "an unknown role",
    "/v1/chat/completions",
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"model":"m","messages":[{"role":"tool","content":"x"}]}',
    },
    [400, "invalid_request_error", "messages.0.role"],
  ],
  [
    "only a system message",
    "/v1/chat/completions",
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"model":"m","messages":[{"role":"system","content":"x"}]}',
    },
    [400, "invalid_request_error", "messages"],
  ],
  [
    "an assistant message first",
    "/v1/chat/completions",
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"model":"m","messages":[{"role":"assistant","content":"x"},{"role":"user","content":"y"}]}',
    },
    [400, "invalid_request_error", "messages.0.role"],
  ],
  [
    "an OpenAI field we do not support (tools)",
    "/v1/chat/completions",
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[]}',
    },
    [400, "invalid_request_error", "tools"],
  ],
  ["a bad limit", "/v1/conversations?limit=0", {}, [400, "invalid_request_error", "limit"]],
  ["a non-numeric limit", "/v1/files?limit=abc", {}, [400, "invalid_request_error", "limit"]],
  ["a bad purpose", "/v1/files?purpose=nope", {}, [400, "invalid_request_error", "purpose"]],
  [
    "a multipart upload without a file",
    "/v1/files",
    { method: "POST", body: new FormData() },
    [400, "invalid_request_error", "file"],
  ],
  ["GET on a POST-only route", "/v1/chat/completions", {}, [404, "not_found", null]],
  [
    "a conversation id with a slash",
    "/v1/conversations/conv_a%2Fb",
    {},
    [400, "invalid_request_error", "conversation_id"],
  ],
  [
    "metadata with too many keys",
    "/v1/conversations",
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])) }),
    },
    [400, "invalid_request_error", "metadata"],
  ],
];

describe("bad input", () => {
  it.each(CASES)("%s → its one status, code and param", async (_name, path, init, [status, code, param]) => {
    const edge = new Edge();
    const { key } = await edge.newKey();
    const res = await edge.fetch(path, { ...init, key });
    const body = (await res.json()) as { error: { code: string; param: string | null; request_id: string } };
    expect([res.status, body.error.code, body.error.param]).toEqual([status, code, param]);
    expect(body.error.request_id).toBe(res.headers.get("x-request-id"));
  });
});
