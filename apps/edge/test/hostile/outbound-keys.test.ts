// Issue #15 item 8: keys and secrets. An account named like the admin scope shares nothing with
// the admin API; the webhook-secret key is not the admin token and rotates; failed
// authentication is throttled.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AUTH_FAILURES } from "../../src/auth/failure-throttle";
import { WEBHOOK_QUEUE_NAME } from "../../src/webhooks/messages";
import { keyId, openSecret, resealSecrets } from "../../src/webhooks/secret-box";
import { ADMIN_TOKEN, Edge, type Loose } from "../helpers/edge";
import { delivery, runQueue } from "../helpers/queues";
import { setup, verify } from "../helpers/webhooks";

const address = () => `203.0.113.${Math.floor(Math.random() * 250) + 1}-${crypto.randomUUID().slice(0, 4)}`;

describe("an account named like the admin scope", () => {
  it("cannot take, block or read the admin API's Idempotency-Keys", async () => {
    const edge = new Edge();
    const { key } = await edge.newKey("admin");
    const shared = `idem-${crypto.randomUUID()}`;
    const conv = await edge.fetch("/v1/conversations", {
      method: "POST",
      key,
      headers: { "idempotency-key": shared },
      json: {},
    });
    expect(conv.status).toBe(200);
    const issued = await edge.fetch("/v1/admin/api_keys", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "idempotency-key": shared },
      json: { account_id: "someone", name: "n" },
    });
    expect(issued.status).toBe(200);
    expect(issued.headers.get("idempotent-replayed")).toBeNull();
    expect(((await issued.json()) as Loose).key).toMatch(/^mmgpt_sk_/);
  });
});

describe("failed authentication", () => {
  it.each([
    ["API keys", "/v1/models", "Bearer mmgpt_sk_guess"],
    ["the admin token", "/v1/admin/api_keys", "Bearer not-the-admin-token"],
  ])("guessing %s is throttled per address, before any credential is checked", async (_name, path, guess) => {
    const edge = new Edge();
    const { key } = await edge.newKey();
    const ip = address();
    const call = (authorization: string, from = ip) =>
      edge.fetch(path, { headers: { authorization, "cf-connecting-ip": from } });
    for (let i = 0; i < AUTH_FAILURES.burst; i++) expect((await call(guess)).status).toBe(401);
    const refused = await call(guess);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: { code: "rate_limit_exceeded" } });
    // Even a right credential from that address waits (a guess that happens to be right, too)…
    const right = path.startsWith("/v1/admin") ? `Bearer ${ADMIN_TOKEN}` : `Bearer ${key}`;
    expect((await call(right)).status).toBe(429);
    // …while other addresses are not affected.
    expect((await call(right, address())).status).toBe(200);
  });
});

describe("the webhook-secret encryption key", () => {
  const stored = async (endpointId: string) =>
    (await env.DB.prepare("SELECT secret FROM webhook_endpoints WHERE id = ?")
      .bind(endpointId)
      .first<{ secret: string }>())!.secret;

  it("is a key of its own: without it the edge does not fall back to the admin token", async () => {
    const edge = new Edge({ env: { WEBHOOK_SECRET_KEY: "" } });
    const res = await edge.fetch("/healthz");
    expect(res.status).toBe(500);
    expect(((await res.json()) as Loose).error.message).toContain("WEBHOOK_SECRET_KEY");
  });

  it("rotating the admin token leaves every endpoint working", async () => {
    const { hook, subscribe, finishBatch } = await setup();
    const endpoint = await subscribe();
    const { messages } = await finishBatch();
    const rotated = new Edge({ webhookFetch: hook.fetch, env: { ADMIN_TOKEN: "a-brand-new-admin-token-0123" } });
    expect(
      (await runQueue(rotated.worker, rotated.env, WEBHOOK_QUEUE_NAME, [delivery(messages[0])])).acked,
    ).toHaveLength(1);
    expect(hook.received).toHaveLength(1);
    expect(await verify(endpoint.secret, hook.received[0])).toBe(true);
  });

  it("rotates: a previous key still opens stored secrets, which move onto the new key", async () => {
    const oldKey = "test-webhook-secret-key-0123456789"; // the test deployment's key (vitest.config.ts)
    const newKey = "rotated-webhook-key-0123456789";
    const { hook, subscribe, finishBatch } = await setup();
    const endpoint = await subscribe();
    const idle = await subscribe("https://hooks.test/other", ["batch.expired"]);
    const { messages } = await finishBatch();
    expect(await stored(endpoint.id)).toMatch(new RegExp(`^v2\\.${await keyId(oldKey)}\\.`));

    const rotated = new Edge({
      webhookFetch: hook.fetch,
      env: { WEBHOOK_SECRET_KEY: newKey, WEBHOOK_SECRET_KEY_PREVIOUS: oldKey },
    });
    await runQueue(rotated.worker, rotated.env, WEBHOOK_QUEUE_NAME, [delivery(messages[0])]);
    expect(hook.received).toHaveLength(1);
    expect(await verify(endpoint.secret, hook.received[0])).toBe(true);
    // Delivering re-sealed the secret under the new key; the hourly cron does the rest.
    expect(await stored(endpoint.id)).toMatch(new RegExp(`^v2\\.${await keyId(newKey)}\\.`));
    expect(await stored(idle.id)).toMatch(new RegExp(`^v2\\.${await keyId(oldKey)}\\.`));
    try {
      await resealSecrets(env.DB, { current: newKey, previous: [oldKey] });
      expect(await stored(idle.id)).toMatch(new RegExp(`^v2\\.${await keyId(newKey)}\\.`));
      // The old key can now be dropped: the new one alone opens both.
      for (const e of [endpoint, idle]) {
        expect(await openSecret({ current: newKey, previous: [] }, e.id, await stored(e.id))).toEqual({
          secret: e.secret,
          stale: false,
        });
      }
    } finally {
      // The cron pass moved every endpoint of this shared database: move them back for the
      // other tests, which run with the deployment's key.
      await resealSecrets(env.DB, { current: oldKey, previous: [newKey] });
    }
  });
});
