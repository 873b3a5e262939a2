// Auth matrix: API keys (missing, malformed, unknown, revoked), the admin token, and
// cross-account access to conversations and files (always 404, never the data).
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, Edge } from "./helpers/edge";
import { png } from "./helpers/images";

async function expectError(res: Response, status: number, code: string) {
  const body = (await res.json()) as { error: { code: string; type: string; request_id: string } };
  expect(res.status).toBe(status);
  expect(body.error.code).toBe(code);
  expect(body.error.request_id).toBe(res.headers.get("x-request-id"));
  return body.error;
}

describe("API keys", () => {
  it("are shown once, start with mmgpt_sk_, and are stored only as hashes", async () => {
    const edge = new Edge();
    const { key, id } = await edge.newKey();
    expect(key).toMatch(/^mmgpt_sk_[A-Za-z0-9_-]{43}$/);
    const row = await edge.env.DB.prepare("SELECT * FROM api_keys WHERE id = ?")
      .bind(id)
      .first<Record<string, unknown>>();
    expect(Object.values(row!)).not.toContain(key);
    expect(row!.key_hash).toMatch(/^[0-9a-f]{64}$/);
    const list = await edge.fetch("/v1/admin/api_keys", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(await list.text()).not.toContain(key);
  });

  it.each([
    ["no key", undefined],
    ["a malformed key", "Bearer nope"],
    ["an unknown key", "Bearer mmgpt_sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["the admin token", `Bearer ${ADMIN_TOKEN}`],
  ])("refuse %s with 401", async (_name, authorization) => {
    const edge = new Edge();
    const res = await edge.fetch("/v1/conversations", { headers: authorization ? { authorization } : {} });
    const error = await expectError(res, 401, "invalid_api_key");
    expect(error.type).toBe("invalid_request_error"); // as OpenAI answers a bad key
    expect(res.headers.get("x-should-retry")).toBe("false");
  });

  it("stop working at once when revoked", async () => {
    const edge = new Edge();
    const { key, id } = await edge.newKey();
    expect((await edge.fetch("/v1/conversations", { key })).status).toBe(200);
    const revoke = await edge.fetch(`/v1/admin/api_keys/${id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(revoke.status).toBe(200);
    expect(((await revoke.json()) as { revoked_at: number }).revoked_at).toBeGreaterThan(0);
    await expectError(await edge.fetch("/v1/conversations", { key }), 401, "invalid_api_key");
  });
});

describe("admin API", () => {
  it.each([
    ["no token", {}],
    ["a wrong token", { authorization: "Bearer wrong-admin-token-0123456789" }],
    ["an API key", { authorization: "Bearer mmgpt_sk_x" }],
  ])("refuses %s", async (_name, headers) => {
    const edge = new Edge();
    const res = await edge.fetch("/v1/admin/api_keys", {
      method: "POST",
      headers,
      json: { account_id: "a", name: "n" },
    });
    await expectError(res, 401, "invalid_api_key");
  });

  it("is closed when ADMIN_TOKEN is unset", async () => {
    // Webhook secrets then need a key of their own (config.ts).
    const edge = new Edge({ env: { ADMIN_TOKEN: "" } });
    const res = await edge.fetch("/v1/admin/api_keys", { headers: { authorization: "Bearer " } });
    await expectError(res, 401, "invalid_api_key");
  });

  it("validates the body against the contract", async () => {
    const edge = new Edge();
    const res = await edge.fetch("/v1/admin/api_keys", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      json: { account_id: "bad id!", name: "n" },
    });
    const error = await expectError(res, 400, "invalid_request_error");
    expect(error).toMatchObject({ param: "account_id" });
  });

  it("lists keys per account with cursor pagination and 404s an unknown key", async () => {
    const edge = new Edge();
    const account = `acct_${crypto.randomUUID().slice(0, 8)}`;
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await edge.newKey(account)).id);
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const page1 = (await (
      await edge.fetch(`/v1/admin/api_keys?account_id=${account}&limit=2`, { headers: auth })
    ).json()) as {
      data: { id: string }[];
      has_more: boolean;
      last_id: string;
    };
    expect(page1.data.map((k) => k.id)).toEqual([ids[2], ids[1]]);
    expect(page1.has_more).toBe(true);
    const page2 = (await (
      await edge.fetch(`/v1/admin/api_keys?account_id=${account}&limit=2&after=${page1.last_id}`, { headers: auth })
    ).json()) as { data: { id: string }[]; has_more: boolean };
    expect(page2.data.map((k) => k.id)).toEqual([ids[0]]);
    expect(page2.has_more).toBe(false);
    const missing = await edge.fetch("/v1/admin/api_keys/key_nope", { method: "DELETE", headers: auth });
    await expectError(missing, 404, "not_found");
  });
});

describe("another account's resources", () => {
  it("are 404, exactly like unknown ids", async () => {
    const edge = new Edge();
    const alice = await edge.newKey();
    const bob = await edge.newKey();
    const conv = (await (
      await edge.fetch("/v1/conversations", { method: "POST", key: alice.key, json: {} })
    ).json()) as {
      id: string;
    };
    const form = new FormData();
    form.append("purpose", "vision");
    form.append("file", new File([await png(8, 8)], "a.png", { type: "image/png" }));
    const file = (await (await edge.fetch("/v1/files", { method: "POST", key: alice.key, body: form })).json()) as {
      id: string;
    };
    expect(file.id).toMatch(/^file-/);

    const attempts: [string, RequestInit & { json?: unknown }][] = [
      [`/v1/conversations/${conv.id}`, {}],
      [`/v1/conversations/${conv.id}/messages`, {}],
      [`/v1/conversations/${conv.id}/messages`, { method: "POST", json: { content: "hi" } }],
      [`/v1/conversations/${conv.id}`, { method: "DELETE" }],
      [`/v1/files/${file.id}`, {}],
      [`/v1/files/${file.id}/content`, {}],
      [`/v1/files/${file.id}`, { method: "DELETE" }],
    ];
    for (const [path, init] of attempts) {
      const res = await edge.fetch(path, { ...init, key: bob.key });
      const text = await res.text();
      expect(res.status, `${init.method ?? "GET"} ${path}`).toBe(404);
      expect(JSON.parse(text).error.code).toBe("not_found");
      expect(text).not.toContain(alice.accountId);
    }
    // Bob referencing Alice's file as an image gets the same 404.
    const chat = await edge.fetch("/v1/chat/completions", {
      method: "POST",
      key: bob.key,
      json: {
        model: "mmgpt-tiny",
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: file.id } }] }],
      },
    });
    expect(chat.status).toBe(404);
    // Lists show nothing of Alice's.
    const convs = (await (await edge.fetch("/v1/conversations", { key: bob.key })).json()) as { data: unknown[] };
    const files = (await (await edge.fetch("/v1/files", { key: bob.key })).json()) as { data: unknown[] };
    expect([convs.data, files.data]).toEqual([[], []]);
    // And Alice still has both.
    expect((await edge.fetch(`/v1/conversations/${conv.id}`, { key: alice.key })).status).toBe(200);
    expect((await edge.fetch(`/v1/files/${file.id}`, { key: alice.key })).status).toBe(200);
  });
});
