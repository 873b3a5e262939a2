// Issue #15 item 8: keys and secrets. An account named like the admin scope shares nothing with
// the admin API; the webhook-secret key is not the admin token and rotates; failed
// authentication is throttled.
import { describe, expect, it } from "vitest";
import { AUTH_FAILURES } from "../../src/auth/failure-throttle";
import { ADMIN_TOKEN, Edge, type Loose } from "../helpers/edge";

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
