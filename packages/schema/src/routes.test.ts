// Mounting a route object with OpenAPIHono gives request validation for free; this is how the
// edge uses the package.
import { OpenAPIHono } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { CreateBatchRequest } from "./batches";
import { createChatCompletionRoute } from "./chat";
import { errorEnvelope, Metadata, validationErrorEnvelope } from "./common";
import { getConversationRoute } from "./conversations";
import { uploadFileRoute } from "./files";
import { publicRoutes } from "./routes";
import { CreateWebhookEndpointRequest } from "./webhooks";

function app() {
  const api = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) return c.json(validationErrorEnvelope(result.error, "req_t"), 400);
    },
  });
  api.openapi(createChatCompletionRoute, (c) => {
    const body = c.req.valid("json");
    return c.json(
      {
        id: "chatcmpl-1",
        object: "chat.completion" as const,
        created: 0,
        model: body.model,
        system_fingerprint: null,
        choices: [
          {
            index: 0,
            message: { role: "assistant" as const, content: "ok", refusal: null },
            logprobs: null,
            finish_reason: "stop" as const,
          },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, prompt_tokens_details: { cached_tokens: 0 } },
      },
      200,
    );
  });
  api.openapi(getConversationRoute, (c) =>
    c.json(errorEnvelope("not_found", `no conversation ${c.req.valid("param").conversation_id}`, "req_t"), 404),
  );
  api.openapi(uploadFileRoute, (c) => {
    const { file, purpose } = c.req.valid("form");
    return c.json(
      {
        id: "file-1",
        object: "file" as const,
        bytes: file.size,
        sha256: "0".repeat(64),
        width: null,
        height: null,
        purpose,
        filename: file.name,
        created_at: 0,
        status: "processed" as const,
        expires_at: null,
      },
      200,
    );
  });
  return api;
}

const post = (body: unknown) =>
  app().request("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("routes mounted with OpenAPIHono", () => {
  it("passes a valid chat request to the handler", async () => {
    const res = await post({ model: "mmgpt-tiny", messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { model: string }).model).toBe("mmgpt-tiny");
  });

  it("rejects an invalid one before the handler, naming the field", async () => {
    const res = await post({ model: "mmgpt-tiny", messages: [{ role: "user", content: "hi" }], n: 9 });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; param: string } };
    expect(error).toEqual({
      type: "invalid_request_error",
      code: "invalid_request_error",
      message: "n: n must be at most 8",
      param: "n",
      request_id: "req_t",
    });
  });

  it("validates path ids", async () => {
    expect((await app().request("/v1/conversations/nope")).status).toBe(400);
    expect((await app().request("/v1/conversations/conv_abc")).status).toBe(404);
  });

  it("validates multipart uploads", async () => {
    const upload = (file: File, purpose: string) => {
      const form = new FormData();
      form.set("file", file);
      form.set("purpose", purpose);
      return app().request("/v1/files", { method: "POST", body: form });
    };
    const png = new File([new Uint8Array(8)], "a.png", { type: "image/png" });
    const ok = await upload(png, "vision");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ bytes: 8, filename: "a.png", purpose: "vision" });
    // The declared type is left to the edge, which takes the format from the bytes.
    expect(
      (await upload(new File([new Uint8Array(8)], "blob", { type: "application/octet-stream" }), "vision")).status,
    ).toBe(200);
    expect((await upload(png, "fine-tune")).status).toBe(400);
    expect((await upload(png, "batch_output")).status).toBe(400);
  });

  it("exposes one route per operation", () => {
    for (const [id, route] of Object.entries(publicRoutes)) expect(route.operationId).toBe(id);
  });
});

describe("other validators", () => {
  const line = (custom_id: string) => ({
    custom_id,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model: "mmgpt-tiny", messages: [{ role: "user", content: "hi" }] },
  });
  const batch = { endpoint: "/v1/chat/completions", completion_window: "24h" };

  it("batches take exactly one of input_file_id and requests, with unique custom ids", () => {
    expect(CreateBatchRequest.safeParse({ ...batch, requests: [line("a"), line("b")] }).success).toBe(true);
    expect(CreateBatchRequest.safeParse({ ...batch, input_file_id: "file-abc" }).success).toBe(true);
    expect(CreateBatchRequest.safeParse(batch).success).toBe(false);
    expect(CreateBatchRequest.safeParse({ ...batch, input_file_id: "file-abc", requests: [line("a")] }).success).toBe(
      false,
    );
    expect(CreateBatchRequest.safeParse({ ...batch, requests: [line("a"), line("a")] }).success).toBe(false);
    const streamed = { ...line("a"), body: { ...line("a").body, stream: true } };
    expect(CreateBatchRequest.safeParse({ ...batch, requests: [streamed] }).success).toBe(false);
  });

  it("metadata holds at most 16 keys", () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
    expect(Metadata.safeParse(keys(16)).success).toBe(true);
    expect(Metadata.safeParse(keys(17)).success).toBe(false);
  });

  it("webhook endpoints need an https url and known events", () => {
    const ok = { url: "https://example.com/hook", events: ["batch.completed"] };
    expect(CreateWebhookEndpointRequest.safeParse(ok).success).toBe(true);
    expect(CreateWebhookEndpointRequest.safeParse({ ...ok, url: "http://example.com/hook" }).success).toBe(false);
    expect(CreateWebhookEndpointRequest.safeParse({ ...ok, events: ["batch.created"] }).success).toBe(false);
  });
});
