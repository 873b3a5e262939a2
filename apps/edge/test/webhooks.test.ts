// Webhooks: endpoints per account with a `whsec_` secret shown once; terminal batch events
// signed per Standard Webhooks (checked here by an independent WebCrypto verifier), retried
// with backoff under the same webhook-id until a 2xx, disabled by 410, failed after 24 h and
// visible through the API; https only unless loopback is explicitly allowed.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { WEBHOOK_DELIVERY_ERRORS, WebhookEndpointWithSecret, WebhookEvent } from "@mmgpt/schema";
import { describe, expect, it } from "vitest";
import { createInline, lines } from "./helpers/batches";
import { Edge, type Loose } from "./helpers/edge";
import { setup, verify } from "./helpers/webhooks";

describe("webhooks", () => {
  it("a receiver that fails twice then succeeds gets one signed delivery, same webhook-id every time", async () => {
    const { hook, subscribe, finishBatch, deliver, endpoints } = await setup([500, 503]);
    const endpoint = await subscribe();
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(WebhookEndpointWithSecret.safeParse(endpoint).error).toBeUndefined();
    const { batch, messages } = await finishBatch();
    expect(messages).toHaveLength(1);

    const first = await deliver(messages);
    expect(first.retried).toHaveLength(1);
    expect(first.retried[0].delaySeconds).toBeGreaterThanOrEqual(4);
    expect(first.retried[0].delaySeconds).toBeLessThanOrEqual(6);
    const second = await deliver(messages, 2);
    expect(second.retried[0].delaySeconds).toBeGreaterThanOrEqual(270);
    expect(second.retried[0].delaySeconds).toBeLessThanOrEqual(330);
    expect((await endpoints())[0].deliveries[0]).toMatchObject({
      status: "pending",
      attempts: 2,
      last_error: WEBHOOK_DELIVERY_ERRORS.notAcknowledged,
    });
    const third = await deliver(messages, 3);
    expect(third.acked).toHaveLength(1);
    // A duplicated message after success sends nothing.
    expect((await deliver(messages, 1)).acked).toHaveLength(1);

    expect(hook.received).toHaveLength(3);
    const ids = new Set(hook.received.map((r) => r.headers.get("webhook-id")));
    expect(ids.size).toBe(1);
    for (const r of hook.received) expect(await verify(endpoint.secret, r)).toBe(true);
    expect(
      await verify(endpoint.secret, {
        ...hook.received[2],
        body: hook.received[2].body.replace("completed", "failed"),
      }),
    ).toBe(false);
    const event = JSON.parse(hook.received[2].body);
    expect(event).toMatchObject({
      object: "event",
      type: "batch.completed",
      data: {
        id: batch.id,
        object: "batch",
        status: "completed",
        request_counts: { total: 2, completed: 2, failed: 0 },
      },
    });
    expect(WebhookEvent.safeParse(event).error).toBeUndefined();
    expect(event.id).toBe([...ids][0]);
    expect(event.id).toMatch(/^evt_/);
    expect(hook.received.every((r) => r.body === hook.received[0].body)).toBe(true);

    const [listed] = await endpoints();
    expect(listed).toMatchObject({ id: endpoint.id, status: "enabled", url: "https://hooks.test/mmgpt" });
    expect(listed.secret).toBeUndefined();
    expect(listed.deliveries[0]).toMatchObject({
      event_id: event.id,
      event_type: "batch.completed",
      status: "delivered",
      attempts: 3,
      last_error: null,
    });
    // What the receiver answered is never shown (issue #15 item 6).
    expect(listed.deliveries[0]).not.toHaveProperty("last_status_code");
  });

  it("410 Gone disables the endpoint; later events are not sent to it", async () => {
    const { hook, subscribe, finishBatch, deliver, endpoints } = await setup([410]);
    await subscribe();
    expect((await deliver((await finishBatch()).messages)).acked).toHaveLength(1);
    const [endpoint] = await endpoints();
    expect(endpoint).toMatchObject({ status: "disabled", deliveries: [{ status: "failed" }] });
    expect(endpoint.disabled_reason).toContain("410");
    expect((await finishBatch()).messages).toHaveLength(0);
    expect(hook.received).toHaveLength(1);
  });

  it("after 24 h of failures the delivery is marked failed and shown on the endpoint", async () => {
    const { subscribe, finishBatch, deliver, endpoints } = await setup([500, 500]);
    const endpoint = await subscribe();
    const { messages } = await finishBatch();
    expect((await deliver(messages)).retried).toHaveLength(1);
    // Pretend the first attempt was 25 h ago and the schedule is used up.
    await env.DB.prepare("UPDATE webhook_deliveries SET attempts = 7, first_attempt_at = ? WHERE endpoint_id = ?")
      .bind(Math.floor(Date.now() / 1000) - 25 * 3600, endpoint.id)
      .run();
    expect((await deliver(messages, 8)).acked).toHaveLength(1);
    const [listed] = await endpoints();
    expect(listed.status).toBe("enabled");
    expect(listed.deliveries[0]).toMatchObject({
      status: "failed",
      attempts: 8,
      last_error: WEBHOOK_DELIVERY_ERRORS.notAcknowledged,
      next_attempt_at: null,
    });
  });

  it("only subscribed events are sent: a cancelled batch notifies batch.cancelled", async () => {
    const { edge, key, hook, subscribe, deliver } = await setup();
    await subscribe("https://hooks.test/only-completed", ["batch.completed"]);
    const cancelled = await subscribe("https://hooks.test/cancel", ["batch.cancelled"]);
    const batch = await createInline(edge, key, lines(3));
    const res = await edge.fetch(`/v1/batches/${batch.id}/cancel`, { method: "POST", key });
    expect(((await res.json()) as Loose).status).toBe("cancelled");
    const messages = edge.webhookQueue.take();
    expect(messages).toHaveLength(1);
    await deliver(messages);
    expect(hook.received).toHaveLength(1);
    expect(JSON.parse(hook.received[0].body)).toMatchObject({ type: "batch.cancelled", data: { status: "cancelled" } });
    expect(await verify(cancelled.secret, hook.received[0])).toBe(true);
  });

  it("https only, unless loopback is explicitly allowed for local development", async () => {
    const { edge, key, subscribe } = await setup();
    for (const url of ["http://127.0.0.1:9999/hook", "http://example.com/hook", "ftp://x.test/"]) {
      const res = await edge.fetch("/v1/webhook_endpoints", {
        method: "POST",
        key,
        json: { url, events: ["batch.completed"] },
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { param: "url" } });
    }
    const local = new Edge({ env: { WEBHOOKS_ALLOW_LOOPBACK: "true" } });
    const { key: localKey } = await local.newKey();
    const ok = await local.fetch("/v1/webhook_endpoints", {
      method: "POST",
      key: localKey,
      json: { url: "http://127.0.0.1:9999/hook", events: ["batch.completed"] },
    });
    expect(ok.status).toBe(200);
    const remote = await local.fetch("/v1/webhook_endpoints", {
      method: "POST",
      key: localKey,
      json: { url: "http://example.com/hook", events: ["batch.completed"] },
    });
    expect(remote.status).toBe(400);
    expect((await subscribe()).url).toBe("https://hooks.test/mmgpt");
  });

  it("endpoints belong to their account: another key cannot list or delete them", async () => {
    const { edge, key, subscribe, endpoints } = await setup();
    const endpoint = await subscribe();
    const other = await edge.newKey();
    expect(((await (await edge.fetch("/v1/webhook_endpoints", { key: other.key })).json()) as Loose).data).toEqual([]);
    const res = await edge.fetch(`/v1/webhook_endpoints/${endpoint.id}`, { method: "DELETE", key: other.key });
    expect(res.status).toBe(404);
    expect(await endpoints()).toHaveLength(1);
    const del = await edge.fetch(`/v1/webhook_endpoints/${endpoint.id}`, { method: "DELETE", key });
    expect(await del.json()).toEqual({ id: endpoint.id, object: "webhook_endpoint.deleted", deleted: true });
    expect(await endpoints()).toEqual([]);
  });

  it("the hourly cron re-enqueues a delivery whose message was lost", async () => {
    const { edge, hook, subscribe, finishBatch, deliver } = await setup();
    const endpoint = await subscribe();
    const { messages } = await finishBatch(); // …and the message is never consumed
    await env.DB.prepare("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE endpoint_id = ?")
      .bind(Math.floor(Date.now() / 1000) - 3600, endpoint.id)
      .run();
    const ctx = createExecutionContext();
    await edge.worker.scheduled(createScheduledController({ cron: "17 * * * *" }), edge.env, ctx);
    await waitOnExecutionContext(ctx);
    const requeued = edge.webhookQueue.take();
    expect(requeued).toContainEqual(messages[0]);
    await deliver(requeued.filter((m) => m.delivery_id === messages[0].delivery_id));
    expect(hook.received).toHaveLength(1);
  });

  it("signing secrets are stored encrypted", async () => {
    const { subscribe } = await setup();
    const endpoint = await subscribe();
    const row = await env.DB.prepare("SELECT secret FROM webhook_endpoints WHERE id = ?")
      .bind(endpoint.id)
      .first<{ secret: string }>();
    expect(row!.secret).toMatch(/^v2\.[0-9a-f]{8}\./);
    expect(row!.secret).not.toContain(endpoint.secret.slice(6, 20));
  });
});
