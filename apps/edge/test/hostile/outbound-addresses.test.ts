// Issue #15 item 6: the edge must not become a way into internal networks. Webhook endpoints and
// image URLs share one address policy (src/net/address-policy.ts), and a delivery's visible
// error never tells one network failure from another (which would make a port scanner).
import { env } from "cloudflare:test";
import { WEBHOOK_DELIVERY_ERRORS } from "@mmgpt/schema";
import { describe, expect, it } from "vitest";
import { chatBody, Edge, type Loose } from "../helpers/edge";
import { setup } from "../helpers/webhooks";

const INTERNAL_URLS = [
  "https://169.254.169.254/latest/meta-data/",
  "https://[::ffff:169.254.169.254]/latest/meta-data/",
  "https://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
  "https://metadata.google.internal/computeMetadata/v1/",
  "https://127.0.0.1/",
  "https://2130706433/",
  "https://localhost./",
  "https://127.0.0.1.nip.io/",
  "https://app-10-0-0-1.sslip.io/",
  "https://anything.localtest.me/",
  "https://[::1]:8788/internal/v1/models",
  "https://[::ffff:7f00:1]/",
  "https://10.0.0.5/",
  "https://192.168.0.1/",
  "https://198.18.0.1/",
  "https://192.0.0.170/",
  "https://[fd00::1]/",
  "https://runner/",
];

describe("webhook endpoints and the address policy", () => {
  it("refuses internal targets at creation, whatever the spelling", async () => {
    const { edge, key } = await setup();
    for (const url of INTERNAL_URLS) {
      const res = await edge.fetch("/v1/webhook_endpoints", {
        method: "POST",
        key,
        json: { url, events: ["batch.completed"] },
      });
      expect(res.status, url).toBe(400);
      expect(await res.json(), url).toMatchObject({
        error: { param: "url", message: "url: must point to a public host" },
      });
    }
  });

  it("allows loopback in local development, but not other internal addresses", async () => {
    const edge = new Edge({ env: { WEBHOOKS_ALLOW_LOOPBACK: "true" } });
    const { key } = await edge.newKey();
    const create = (url: string) =>
      edge.fetch("/v1/webhook_endpoints", { method: "POST", key, json: { url, events: ["batch.completed"] } });
    expect((await create("http://127.0.0.1:9999/hook")).status).toBe(200);
    for (const url of ["http://169.254.169.254/", "http://10.0.0.5/", "https://[::ffff:a00:5]/"]) {
      expect((await create(url)).status, url).toBe(400);
    }
  });

  it("never sends to an internal endpoint stored before the policy, and says so generically", async () => {
    const { edge, hook, subscribe, finishBatch, deliver, endpoints } = await setup();
    const endpoint = await subscribe();
    await env.DB.prepare("UPDATE webhook_endpoints SET url = ? WHERE id = ?")
      .bind("https://[::ffff:169.254.169.254]/latest/meta-data/", endpoint.id)
      .run();
    const { messages } = await finishBatch();
    expect((await deliver(messages)).acked).toHaveLength(1);
    expect(hook.received).toHaveLength(0);
    expect((await endpoints())[0].deliveries[0]).toMatchObject({
      status: "failed",
      last_error: WEBHOOK_DELIVERY_ERRORS.refused,
    });
    expect(edge.webhookQueue.take()).toEqual([]);
  });

  it("shows one generic error for every network failure, never its text", async () => {
    const failures = [
      new TypeError("connect ECONNREFUSED 203.0.113.9:22"),
      new TypeError("getaddrinfo ENOTFOUND db.corp.example"),
      new Error("TLS handshake failed: SSH-2.0-OpenSSH_9.6"),
      new DOMException("The operation timed out.", "TimeoutError"),
    ];
    const { subscribe, finishBatch, deliver, endpoints } = await setup([...failures]);
    await subscribe();
    const { messages } = await finishBatch();
    const seen = new Set<string>();
    for (let attempt = 1; attempt <= failures.length; attempt++) {
      await deliver(messages, attempt);
      const view = (await endpoints())[0].deliveries[0] as Loose;
      expect(view).toMatchObject({ attempts: attempt });
      expect(view).not.toHaveProperty("last_status_code");
      seen.add(view.last_error);
    }
    expect([...seen]).toEqual([WEBHOOK_DELIVERY_ERRORS.notAcknowledged]);
  });
});

describe("image URLs and the address policy", () => {
  it("refuses internal targets before any request is made", async () => {
    const fetched: string[] = [];
    const edge = new Edge({
      imageFetch: async (input) => {
        fetched.push(String(input));
        return new Response("no", { status: 404 });
      },
    });
    const { key } = await edge.newKey();
    for (const url of INTERNAL_URLS) {
      const res = await edge.fetch("/v1/chat/completions", {
        method: "POST",
        key,
        json: chatBody([
          { type: "text", text: "?" },
          { type: "image_url", image_url: { url } },
        ]),
      });
      expect(res.status, url).toBe(400);
      const { error } = (await res.json()) as Loose;
      expect(error.param, url).toBe("messages.0.content.1.image_url.url");
      expect(error.message, url).toContain("public host");
    }
    expect(fetched).toEqual([]);
  });
});
