// The document is valid OpenAPI 3.1, and every operation is fully described: request schemas,
// a 2xx schema, error responses with the envelope, an example.
import { readFileSync } from "node:fs";
import { validate } from "@scalar/openapi-parser";
import { describe, expect, it } from "vitest";
import { ERROR_CODE_NAMES, ERROR_CODES } from "../src/common";

// biome-ignore lint/suspicious/noExplicitAny: walks an untyped JSON document
type Obj = Record<string, any>;
const doc: Obj = JSON.parse(readFileSync(new URL("../openapi.json", import.meta.url), "utf8"));
const METHODS = ["get", "post", "put", "patch", "delete", "head"];
const ENVELOPE_REF = "#/components/schemas/ErrorEnvelope";

const operations: Array<{ id: string; method: string; path: string; op: Obj }> = Object.entries(
  doc.paths as Obj,
).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((method) => ({
    id: `${method.toUpperCase()} ${path}`,
    method,
    path,
    op: item[method],
  })),
);

function hasExample(op: Obj): boolean {
  const media = (content: Obj | undefined) => Object.values(content ?? {}) as Obj[];
  const inMedia = (m: Obj) => m.example !== undefined || Object.keys(m.examples ?? {}).length > 0;
  return (
    media(op.requestBody?.content).some(inMedia) ||
    Object.values(op.responses as Obj).some((r: Obj) => media(r.content).some(inMedia)) ||
    (op.parameters ?? []).some((p: Obj) => p.example !== undefined || p.schema?.example !== undefined)
  );
}

describe("openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toMatch(/^3\.1\./);
  });

  it("declares both security schemes and the API key globally", () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["AdminToken", "ApiKeyAuth"]);
    expect(doc.security).toEqual([{ ApiKeyAuth: [] }]);
    expect(doc.paths["/v1/admin/api_keys"].post.security).toEqual([{ AdminToken: [] }]);
    expect(doc.paths["/healthz"].get.security).toEqual([]);
  });

  it("documents batch events as webhooks with the event schema", () => {
    expect(Object.keys(doc.webhooks)).toEqual(["batch.cancelled", "batch.completed", "batch.expired", "batch.failed"]);
    const hook = doc.webhooks["batch.completed"].post;
    expect(hook.requestBody.content["application/json"].schema.$ref).toBe("#/components/schemas/WebhookEvent");
    expect(hook.parameters.map((p: Obj) => p.name)).toEqual(["webhook-id", "webhook-timestamp", "webhook-signature"]);
  });

  it("lists every error code in the envelope", () => {
    expect(doc.components.schemas.Error.properties.code.enum).toEqual(ERROR_CODE_NAMES);
  });

  it.each(operations)("$id is fully described", ({ method, op }) => {
    expect(op.operationId, "operationId").toBeTruthy();
    expect(op.summary, "summary").toBeTruthy();
    expect(op.tags?.length, "tag").toBeGreaterThan(0);

    if (method === "post" && op.operationId !== "cancelBatch") {
      const body = op.requestBody?.content ?? {};
      expect(Object.keys(body).length, "request body").toBeGreaterThan(0);
      for (const media of Object.values(body) as Obj[]) expect(media.schema, "request schema").toBeTruthy();
      const headers = (op.parameters ?? []).filter((p: Obj) => p.in === "header").map((p: Obj) => p.name);
      expect(headers, "Idempotency-Key").toContain("idempotency-key");
    }
    for (const param of (op.parameters ?? []) as Obj[]) expect(param.schema, `schema of ${param.name}`).toBeTruthy();

    const statuses = Object.keys(op.responses);
    const ok = statuses.filter((s) => s.startsWith("2"));
    expect(ok.length, "2xx response").toBeGreaterThan(0);
    for (const s of ok) {
      const content = Object.values(op.responses[s].content ?? {}) as Obj[];
      expect(content.length, `${s} content`).toBeGreaterThan(0);
      for (const media of content) expect(media.schema, `${s} schema`).toBeTruthy();
      expect(op.responses[s].headers?.["x-request-id"], `${s} x-request-id`).toBeTruthy();
    }

    const errors = statuses.filter((s) => /^[45]/.test(s));
    expect(errors, "error responses").toContain("500");
    if (op.operationId !== "getHealth") expect(errors).toContain("401");
    for (const s of errors) {
      const response = op.responses[s];
      expect(Object.keys(response.content), `${s} media`).toEqual(["application/json"]);
      expect(response.content["application/json"].schema.$ref, `${s} envelope`).toBe(ENVELOPE_REF);
      const example = response.content["application/json"].example;
      expect(ERROR_CODES[example.error.code as keyof typeof ERROR_CODES].status, `${s} example code`).toBe(Number(s));
      if (s === "429" || s === "503") expect(response.headers["Retry-After"], `${s} Retry-After`).toBeTruthy();
    }

    expect(hasExample(op), "an example").toBe(true);
  });

  it("has unique operationIds", () => {
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
