// The transport as a user sees it through the client: retries and their waits (observed through
// an injected sleep), idempotency keys, abort and timeout, error classes, headers and request ids.
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { errorResponse, fakeClient, hang, json } from "../../test/fake-fetch";
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  MMGPTError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from "./errors";
import { newIdempotencyKey } from "./http";

const models = { object: "list", data: [] };
const conversation = { id: "conv_1", object: "conversation" };

describe("retries", () => {
  it("waits the Retry-After seconds after a 429, then succeeds", async () => {
    const limited = errorResponse(429, "rate_limit_exceeded", "requests", { "retry-after": "2" });
    const { client, requests, sleeps } = fakeClient([limited, json(models)]);
    await expect(client.models.list()).resolves.toEqual(models);
    expect(requests).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
  });

  it("prefers retry-after-ms", async () => {
    const limited = errorResponse(429, "rate_limit_exceeded", "requests", { "retry-after-ms": "150" });
    const { client, sleeps } = fakeClient([limited, json(models)]);
    await client.models.list();
    expect(sleeps).toEqual([150]);
  });

  it("backs off with jitter after 503 twice, then succeeds", async () => {
    const down = errorResponse(503, "runner_unavailable", "server_error");
    const { client, requests, sleeps } = fakeClient([down, down, json(models)]);
    await expect(client.models.list()).resolves.toEqual(models);
    expect(requests).toHaveLength(3);
    expect(sleeps[0]).toBeGreaterThanOrEqual(375);
    expect(sleeps[0]).toBeLessThanOrEqual(500);
    expect(sleeps[1]).toBeGreaterThanOrEqual(750);
    expect(sleeps[1]).toBeLessThanOrEqual(1000);
  });

  it("retries a connection error", async () => {
    const { client, requests } = fakeClient([new TypeError("fetch failed"), json(models)]);
    await expect(client.models.list()).resolves.toEqual(models);
    expect(requests).toHaveLength(2);
  });

  it("does not retry 400 or 409", async () => {
    for (const [status, code, type, Class] of [
      [400, "invalid_request_error", "invalid_request_error", BadRequestError],
      [409, "conversation_busy", "invalid_request_error", ConflictError],
    ] as const) {
      const { client, requests, sleeps } = fakeClient([errorResponse(status, code, type), json(models)]);
      await expect(client.models.list()).rejects.toBeInstanceOf(Class);
      expect(requests).toHaveLength(1);
      expect(sleeps).toEqual([]);
    }
  });

  it("gives up after maxRetries, per client and per request", async () => {
    const failing = errorResponse(500, "internal_error", "server_error");
    const perClient = fakeClient([failing], { maxRetries: 1 });
    await expect(perClient.client.models.list()).rejects.toBeInstanceOf(InternalServerError);
    expect(perClient.requests).toHaveLength(2);

    const perRequest = fakeClient([failing]);
    await expect(perRequest.client.models.list({ maxRetries: 0 })).rejects.toMatchObject({ status: 500 });
    expect(perRequest.requests).toHaveLength(1);
  });
});

describe("idempotency keys", () => {
  it("sends one key per POST call and reuses it on retries", async () => {
    const down = errorResponse(503, "runner_unavailable", "server_error");
    const { client, requests } = fakeClient([down, json(conversation), json(conversation)]);
    await client.conversations.create();
    await client.conversations.create();
    const keys = requests.map((r) => r.headers.get("idempotency-key"));
    expect(keys[0]).toMatch(/^mmgpt-[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it("builds a v4 UUID key without randomUUID (browsers outside a secure context)", () => {
    const crypto = { getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) };
    const key = newIdempotencyKey(crypto);
    expect(key).toMatch(/^mmgpt-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("uses the caller's key, and sends none on GET", async () => {
    const { client, requests } = fakeClient([json(conversation)]);
    await client.conversations.create({}, { idempotencyKey: "my-key" });
    await client.conversations.retrieve("conv_1");
    expect(requests[0]!.headers.get("idempotency-key")).toBe("my-key");
    expect(requests[1]!.headers.has("idempotency-key")).toBe(false);
  });
});

describe("abort and timeout", () => {
  it("rejects with APIUserAbortError when the caller aborts, without retrying", async () => {
    const { client, requests } = fakeClient([hang]);
    const controller = new AbortController();
    const call = client.models.list({ signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(APIUserAbortError);
    expect(requests).toHaveLength(1);
  });

  it("rejects at once for an already aborted signal", async () => {
    const { client, requests } = fakeClient([json(models)]);
    await expect(client.models.list({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(APIUserAbortError);
    expect(requests).toHaveLength(0);
  });

  it("times out each attempt and retries it", async () => {
    const { client, requests } = fakeClient([hang], { timeout: 10, maxRetries: 1 });
    const error = await client.models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(requests).toHaveLength(2);
  });

  it("detaches from the caller's signal once a JSON body is read", async () => {
    const { client } = fakeClient([json(models)]);
    const controller = new AbortController();
    for (let i = 0; i < 3; i++) await client.models.list({ signal: controller.signal });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("applies a per-request timeout", async () => {
    const { client } = fakeClient([hang], { maxRetries: 0 });
    await expect(client.models.list({ timeout: 5 })).rejects.toBeInstanceOf(APIConnectionTimeoutError);
  });

  it("stops waiting between retries when the caller aborts", async () => {
    const controller = new AbortController();
    const down = errorResponse(503, "runner_unavailable", "server_error");
    const { client, requests } = fakeClient([down, json(models)], {
      sleep: (_ms, signal) =>
        new Promise((_, reject) => {
          signal?.addEventListener("abort", () => reject(signal.reason));
          controller.abort();
        }),
    });
    await expect(client.models.list({ signal: controller.signal })).rejects.toBeInstanceOf(APIUserAbortError);
    expect(requests).toHaveLength(1);
  });
});

describe("errors", () => {
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [413, APIError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [504, InternalServerError],
  ])("maps %i to %o with the envelope's fields", async (status, Class) => {
    const { client } = fakeClient([errorResponse(status, "not_found", "invalid_request_error")], { maxRetries: 0 });
    const error = await client.models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Class);
    expect(error).toMatchObject({
      status,
      code: "not_found",
      type: "invalid_request_error",
      requestId: `req_${status}`,
    });
  });

  it("falls back to the x-request-id header for a body that is not an envelope", async () => {
    const { client } = fakeClient(
      [new Response("bad gateway", { status: 502, headers: { "x-request-id": "req_7" } })],
      {
        maxRetries: 0,
      },
    );
    const error = await client.models.list().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, requestId: "req_7", code: undefined });
    expect((error as Error).message).toContain("bad gateway");
  });
});

describe("requests", () => {
  it("reports a 200 that is not JSON as an MMGPTError", async () => {
    const { client } = fakeClient([new Response("<html>proxy</html>", { status: 200 })]);
    const error = await client.models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MMGPTError);
    expect((error as Error).message).toMatch(/GET \/v1\/models/);
  });

  it("sends the API key, default headers and per-request headers", async () => {
    const { client, requests } = fakeClient([json(models)], { defaultHeaders: { "x-team": "a", "x-drop": "1" } });
    await client.models.list({ headers: { "x-extra": "b", "x-drop": null } });
    const headers = requests[0]!.headers;
    expect(headers.get("authorization")).toBe("Bearer mmgpt_sk_test");
    expect(headers.get("x-team")).toBe("a");
    expect(headers.get("x-extra")).toBe("b");
    expect(headers.has("x-drop")).toBe(false);
  });

  it("exposes x-request-id as a non-enumerable _request_id", async () => {
    const { client } = fakeClient([json(models)]);
    const list = await client.models.list();
    expect(list._request_id).toBe("req_test");
    expect(Object.keys(list)).not.toContain("_request_id");
    expect(JSON.stringify(list)).toBe(JSON.stringify(models));
  });
});
