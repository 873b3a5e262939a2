// Issue #15 item 7: the Idempotency-Key store. It keeps no secret a response shows once (the
// replay has it as null), a key whose request died is free again once its lease lapses, a
// multipart retry with a new boundary replays, and transient answers are not kept.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { idempotencyScope } from "../../src/http/idempotency";
import { requestDigest } from "../../src/http/request-digest";
import { ADMIN_TOKEN, chatBody, Edge, type Loose } from "../helpers/edge";
import { gate, ndjson } from "../helpers/fake-runner";
import { png } from "../helpers/images";

const idemKey = () => `idem-${crypto.randomUUID()}`;

/** Every stored answer of the idempotency table, as one string. */
async function storedBodies(): Promise<string> {
  const { results } = await env.DB.prepare("SELECT body FROM idempotency_keys").all<{ body: string | null }>();
  return results.map((r) => r.body ?? "").join("\n");
}

describe("secrets shown once", () => {
  it("a new API key is not stored, and its replay carries the key as null", async () => {
    const edge = new Edge();
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, "idempotency-key": idemKey() };
    const json = { account_id: `acct_${crypto.randomUUID().slice(0, 8)}`, name: "ci" };
    const first = (await (await edge.fetch("/v1/admin/api_keys", { method: "POST", headers, json })).json()) as Loose;
    expect(first.key).toMatch(/^mmgpt_sk_/);
    expect(await storedBodies()).not.toContain(first.key);
    const again = await edge.fetch("/v1/admin/api_keys", { method: "POST", headers, json });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual({ ...first, key: null });
  });

  it("a webhook signing secret is not stored, and its replay carries the secret as null", async () => {
    const edge = new Edge();
    const { key } = await edge.newKey();
    const headers = { "idempotency-key": idemKey() };
    const json = { url: "https://hooks.example/mmgpt", events: ["batch.completed"] };
    const first = (await (
      await edge.fetch("/v1/webhook_endpoints", { method: "POST", key, headers, json })
    ).json()) as Loose;
    expect(first.secret).toMatch(/^whsec_/);
    expect(await storedBodies()).not.toContain(first.secret);
    const again = await edge.fetch("/v1/webhook_endpoints", { method: "POST", key, headers, json });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual({ ...first, secret: null });
  });
});

describe("a key whose request died", () => {
  it("is free again once the holder's lease lapses, not after 24 h", async () => {
    const edge = new Edge({ env: { IDEMPOTENCY_LEASE_MS: "300" } });
    const { key, accountId } = await edge.newKey();
    const body = JSON.stringify(chatBody("Hi"));
    const hash = await requestDigest(
      "POST",
      "/v1/chat/completions",
      "application/json",
      new TextEncoder().encode(body),
    );
    const retry = (k: string) =>
      edge.fetch("/v1/chat/completions", {
        method: "POST",
        key,
        headers: { "idempotency-key": k, "content-type": "application/json" },
        body,
      });
    const scope = idempotencyScope({ accountId, keyId: "" });
    const now = Math.floor(Date.now() / 1000);

    // What a request that crashed after claiming its key leaves behind (no answer, no renewals).
    const crashed = idemKey();
    await env.DB.prepare("INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES (?, ?, ?, ?)")
      .bind(scope, crashed, hash, now)
      .run();
    expect((await retry(crashed)).status).toBe(200);

    // A holder that claimed the key a moment ago: busy until its lease lapses, then free.
    const recent = idemKey();
    await env.DB.prepare(
      "INSERT INTO idempotency_keys (scope, key, request_hash, created_at, holder, locked_until) VALUES (?, ?, ?, ?, 'dead', ?)",
    )
      .bind(scope, recent, hash, now, Date.now() + 300)
      .run();
    expect(await (await retry(recent)).json()).toMatchObject({ error: { code: "idempotency_conflict" } });
    let res = await retry(recent);
    for (const start = Date.now(); res.status === 409 && Date.now() - start < 3_000; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      res = await retry(recent);
    }
    expect(res.status).toBe(200);
  });

  it("a live request renews its lease: a retry meanwhile is still told it is in progress", async () => {
    // The lease is short so that several go by; long enough that a loaded machine still renews
    // in time (renewals come every third of it).
    const edge = new Edge({ env: { IDEMPOTENCY_LEASE_MS: "600" } });
    const { key } = await edge.newKey();
    const hold = gate();
    const answer = () =>
      Response.json({
        type: "done",
        finish_reason: "stop",
        text: "late",
        usage: { prompt_tokens: 1, completion_tokens: 1, cached_tokens: 0 },
        prompt: "…",
      });
    let calls = 0;
    // The first call waits for the gate; a second one (a retry that took the key) answers at once.
    edge.runners.get().generate = async () => (++calls === 1 ? hold.promise.then(answer) : answer());
    const headers = { "idempotency-key": idemKey() };
    const first = edge.fetch("/v1/chat/completions", { method: "POST", key, headers, json: chatBody("Hi") });
    const start = Date.now();
    while (Date.now() - start < 2_000) {
      const retry = await edge.fetch("/v1/chat/completions", { method: "POST", key, headers, json: chatBody("Hi") });
      expect(retry.status).toBe(409);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    hold.open();
    expect((await first).status).toBe(200);
    expect(calls).toBe(1);
  }, 20_000);
});

describe("what is one request", () => {
  it("a multipart retry with a new boundary replays the first upload", async () => {
    const edge = new Edge();
    const { key } = await edge.newKey();
    const bytes = await png(8, 8);
    const headers = { "idempotency-key": idemKey() };
    const upload = () => {
      const form = new FormData();
      form.append("purpose", "vision");
      form.append("file", new File([bytes], "a.png", { type: "image/png" }));
      return edge.fetch("/v1/files", { method: "POST", key, headers, body: form });
    };
    const first = await upload();
    const again = await upload();
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(((await again.json()) as Loose).id).toBe(((await first.json()) as Loose).id);
    const listed = (await (await edge.fetch("/v1/files", { key })).json()) as Loose;
    expect(listed.data).toHaveLength(1);
  });
});

describe("transient answers are not kept", () => {
  it("409 conversation_busy: the retry runs once the conversation is free", async () => {
    const edge = new Edge();
    const { key } = await edge.newKey();
    const conv = (await (await edge.fetch("/v1/conversations", { method: "POST", key, json: {} })).json()) as Loose;
    const hold = gate();
    edge.runners.get().generate = (req, signal) =>
      req.stream
        ? ndjson(
            [
              { type: "delta", text: "x" },
              hold.promise,
              {
                type: "done",
                finish_reason: "stop",
                text: "x",
                usage: { prompt_tokens: 1, completion_tokens: 1, cached_tokens: 0 },
                prompt: "…",
              },
            ],
            signal,
          )
        : Response.json({
            type: "done",
            finish_reason: "stop",
            text: "y",
            usage: { prompt_tokens: 1, completion_tokens: 1, cached_tokens: 0 },
            prompt: "…",
          });
    const path = `/v1/conversations/${conv.id}/messages`;
    const streaming = await edge.fetch(path, { method: "POST", key, json: { content: "a", stream: true } });
    const headers = { "idempotency-key": idemKey() };
    const busy = await edge.fetch(path, { method: "POST", key, headers, json: { content: "b" } });
    expect(busy.status).toBe(409);
    hold.open();
    await streaming.text();
    await edge.settle();
    const retry = await edge.fetch(path, { method: "POST", key, headers, json: { content: "b" } });
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
  });

  it("an image host that failed: the retry fetches again", async () => {
    let answers = 0;
    const image = await png(16, 16);
    const edge = new Edge({
      imageFetch: async () => (++answers === 1 ? new Response("down", { status: 503 }) : new Response(image)),
    });
    const { key } = await edge.newKey();
    const headers = { "idempotency-key": idemKey() };
    const json = chatBody([{ type: "image_url", image_url: { url: "https://img.example/cat.png" } }]);
    const failed = await edge.fetch("/v1/chat/completions", { method: "POST", key, headers, json });
    expect(await failed.json()).toMatchObject({ error: { code: "image_fetch_failed" } });
    const retry = await edge.fetch("/v1/chat/completions", { method: "POST", key, headers, json });
    expect(retry.status).toBe(200);
    expect(answers).toBe(2);
  });
});
