// Issue #15 item 8: keys and secrets. An account named like the admin scope shares nothing with
// the admin API; the webhook-secret key is not the admin token and rotates; failed
// authentication is throttled.
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, Edge, type Loose } from "../helpers/edge";

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
