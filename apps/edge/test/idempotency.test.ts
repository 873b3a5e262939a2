// Idempotency-Key: a retried POST gets the first response again (no second generation), the
// same key with another body is a conflict, keys are per account, and 5xx are not kept.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { ADMIN_TOKEN, chatBody, Edge, type Loose } from "./helpers/edge";
import { png } from "./helpers/images";

describe("Idempotency-Key", () => {
  it("replays the first response to a retry and runs the request once", async () => {
    const edge = new Edge();
    const { key } = await edge.newKey();
    const headers = { "idempotency-key": "retry-1" };
    const first = await edge.fetch("/v1/chat/completions", { method: "POST", key, headers, json: chatBody("Hi") });
    const again = await edge.fetch("/v1/chat/completions", { method: "POST", key, headers, json: chatBody("Hi") });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    expect(edge.runners.get().generateCalls).toHaveLength(1);

    const other = await edge.fetch("/v1/chat/completions", { method: "POST", key, headers, json: chatBody("Bye") });
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({
      error: { code: "idempotency_conflict", type: "invalid_request_error" },
    });
  });

  it("scopes keys to the account, and covers conversations and admin POSTs", async () => {
    const edge = new Edge();
    const alice = await edge.newKey();
    const bob = await edge.newKey();
    const headers = { "idempotency-key": "same" };
    const a = (await (
      await edge.fetch("/v1/conversations", { method: "POST", key: alice.key, headers, json: {} })
    ).json()) as Loose;
    const b = (await (
      await edge.fetch("/v1/conversations", { method: "POST", key: bob.key, headers, json: {} })
    ).json()) as Loose;
    const a2 = (await (
      await edge.fetch("/v1/conversations", { method: "POST", key: alice.key, headers, json: {} })
    ).json()) as Loose;
    expect(a2.id).toBe(a.id);
    expect(b.id).not.toBe(a.id);

    // Issuing a key twice under one Idempotency-Key issues it once; another Idempotency-Key anew.
    const account = `acct_${crypto.randomUUID().slice(0, 8)}`;
    const issue = async (idempotencyKey: string) => {
      const res = await edge.fetch("/v1/admin/api_keys", {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "idempotency-key": idempotencyKey },
        json: { account_id: account, name: "n" },
      });
      expect(res.status).toBe(200);
      return { replayed: res.headers.get("idempotent-replayed"), key: ((await res.json()) as Loose).key as string };
    };
    const first = await issue(`${account}-1`);
    const retried = await issue(`${account}-1`);
    const other = await issue(`${account}-2`);
    expect(first.replayed).toBeNull();
    expect(retried).toEqual({ replayed: "true", key: null }); // the secret is never stored
    expect(other.key).not.toBe(first.key);
    const listed = await edge.fetch(`/v1/admin/api_keys?account_id=${account}`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(((await listed.json()) as Loose).data).toHaveLength(2);
  });

  it("works with multipart uploads", async () => {
    const edge = new Edge();
    const { key } = await edge.newKey();
    const upload = async () => {
      const form = new FormData();
      form.append("purpose", "vision");
      form.append("file", new File([await png(8, 8)], "a.png", { type: "image/png" }));
      return edge.fetch("/v1/files", { method: "POST", key, headers: { "idempotency-key": "up" }, body: form });
    };
    const first = (await (await upload()).json()) as Loose;
    expect(first.id).toMatch(/^file-/);
    // A new multipart boundary, same fields: the same request, replayed.
    const again = await upload();
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(((await again.json()) as Loose).id).toBe(first.id);
  });

  it("does not keep server errors: a retry runs again", async () => {
    const edge = new Edge();
    const { key } = await edge.newKey();
    edge.runners.get().up = false;
    const headers = { "idempotency-key": "after-outage" };
    expect(
      (await edge.fetch("/v1/chat/completions", { method: "POST", key, headers, json: chatBody("Hi") })).status,
    ).toBe(503);
    edge.runners.get().up = true;
    const retry = await edge.fetch("/v1/chat/completions", { method: "POST", key, headers, json: chatBody("Hi") });
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
  });
});

describe("the hourly cron", () => {
  it("prunes records past the 24 h window", async () => {
    const old = Math.floor(Date.now() / 1000) - 25 * 3600;
    await env.DB.prepare(
      "INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES ('s', 'old', 'h', ?)",
    )
      .bind(old)
      .run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController(), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await env.DB.prepare("SELECT * FROM idempotency_keys WHERE key = 'old'").first()).toBeNull();
  });
});
