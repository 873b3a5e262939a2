// Issue #15 item 4, edge side: every runner call made for an account carries that account's
// opaque tenant key (an HMAC, never the id), the same key on the generation and on its image
// uploads, a different one per account; and the edge's own image store does not let one
// account skip work because another sent the same image first.
import { TENANT_HEADER, TenantKey } from "@mmgpt/schema/internal";
import { describe, expect, it } from "vitest";
import { chatBody, Edge } from "../helpers/edge";
import { dataUrl, png } from "../helpers/images";

const imageChat = async () =>
  chatBody([
    { type: "text", text: "What is this?" },
    { type: "image_url", image_url: { url: dataUrl(await png(64, 48)) } },
  ]);

describe("hostile input: tenants on the edge", () => {
  it("sends each account's own opaque tenant key, so the runner caches nothing across accounts", async () => {
    const edge = new Edge();
    const runner = edge.runners.get();
    const a = await edge.newKey("acct_alpha");
    const b = await edge.newKey("acct_beta");
    const body = await imageChat();
    for (const key of [a.key, b.key]) {
      const res = await edge.fetch("/v1/chat/completions", { method: "POST", key, json: body });
      expect(res.status).toBe(200);
    }
    const [genA, genB] = [runner.generateCalls[0], runner.generateCalls.at(-1)!];
    for (const tenant of [genA.tenant, genB.tenant]) {
      expect(TenantKey.safeParse(tenant).success).toBe(true);
      expect(tenant).not.toContain("alpha");
      expect(tenant).not.toContain("beta");
    }
    expect(genA.tenant).not.toBe(genB.tenant);
    // B's identical image was not found under A's upload: B uploaded it under its own key.
    const puts = runner.calls.filter((c) => c.method === "PUT");
    expect(puts.map((c) => c.headers.get(TENANT_HEADER))).toEqual([genA.tenant, genB.tenant]);
    // The same account's next request reuses what it sent: same key, no upload.
    runner.calls.length = 0;
    expect((await edge.fetch("/v1/chat/completions", { method: "POST", key: b.key, json: body })).status).toBe(200);
    expect(runner.calls.map((c) => c.method)).toEqual(["POST"]);
    expect(runner.generateCalls[0].tenant).toBe(genB.tenant);
    // Another key of the same account is the same tenant.
    const b2 = await edge.newKey("acct_beta");
    expect((await edge.fetch("/v1/chat/completions", { method: "POST", key: b2.key, json: body })).status).toBe(200);
    expect(runner.generateCalls.at(-1)!.tenant).toBe(genB.tenant);
  });

  it("stores preprocessed pixels per account: one account's upload is no shortcut for another", async () => {
    const edge = new Edge();
    const runner = edge.runners.get();
    const a = await edge.newKey();
    const b = await edge.newKey();
    const body = await imageChat();
    expect((await edge.fetch("/v1/chat/completions", { method: "POST", key: a.key, json: body })).status).toBe(200);
    const hash = runner.generateCalls[0].turns[0].images![0];
    expect(await edge.env.BUCKET.head(`preprocessed/${a.accountId}/${hash}`)).not.toBeNull();
    expect(await edge.env.BUCKET.head(`preprocessed/${b.accountId}/${hash}`)).toBeNull();
    expect((await edge.fetch("/v1/chat/completions", { method: "POST", key: b.key, json: body })).status).toBe(200);
    // B's request wrote its own copy (the same work A's did), under its own account.
    expect(await edge.env.BUCKET.head(`preprocessed/${b.accountId}/${hash}`)).not.toBeNull();
  });
});
