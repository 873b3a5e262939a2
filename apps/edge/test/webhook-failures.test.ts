// Webhook deliveries when things go wrong: the receiver unreachable or too slow (retried), the
// endpoint deleted or disabled after the event was queued, a signing secret the edge can no
// longer decrypt (failed, nothing sent), two copies of one message at once (one sends, the
// other waits out the lease), and an exception inside the consumer (the message is retried and
// the lease freed, so the retry sends).
import { env } from "cloudflare:test";
import { WEBHOOK_DELIVERY_ERRORS } from "@mmgpt/schema";
import { describe, expect, it } from "vitest";
import { WEBHOOK_QUEUE_NAME } from "../src/webhooks/messages";
import { Edge } from "./helpers/edge";
import { gate } from "./helpers/fake-runner";
import { delivery, runQueue } from "./helpers/queues";
import { setup } from "./helpers/webhooks";

interface DeliveryRow {
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  leased_until: number | null;
}

async function deliveryRow(id: string): Promise<DeliveryRow | null> {
  return env.DB.prepare("SELECT * FROM webhook_deliveries WHERE id = ?").bind(id).first<DeliveryRow>();
}

/** A D1 binding whose `prepare` throws once for the first statement containing `match`. */
function failingOnce(db: D1Database, match: string): D1Database {
  let failed = false;
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") {
        return (sql: string) => {
          if (!failed && sql.includes(match)) {
            failed = true;
            throw new Error("D1_ERROR: storage unavailable");
          }
          return target.prepare(sql);
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("webhook delivery failures", () => {
  it.each([
    ["a network error", new TypeError("connect ECONNREFUSED"), WEBHOOK_DELIVERY_ERRORS.notAcknowledged],
    [
      "a timeout",
      new DOMException("The operation timed out.", "TimeoutError"),
      WEBHOOK_DELIVERY_ERRORS.notAcknowledged,
    ],
  ])("%s is retried on schedule, then the next attempt delivers", async (_name, failure, lastError) => {
    const { hook, subscribe, finishBatch, deliver } = await setup([failure]);
    await subscribe();
    const { messages } = await finishBatch();
    const first = await deliver(messages);
    expect(first.retried).toHaveLength(1);
    expect(first.retried[0].delaySeconds).toBeGreaterThanOrEqual(4);
    expect(first.retried[0].delaySeconds).toBeLessThanOrEqual(6);
    expect(await deliveryRow(messages[0].delivery_id)).toMatchObject({
      status: "pending",
      attempts: 1,
      last_status_code: null,
      last_error: lastError,
      leased_until: null,
    });
    expect((await deliver(messages, 2)).acked).toHaveLength(1);
    expect(await deliveryRow(messages[0].delivery_id)).toMatchObject({ status: "delivered", attempts: 2 });
    expect(hook.received).toHaveLength(2);
  });

  it("an endpoint deleted after the event was queued gets nothing", async () => {
    const { edge, key, hook, subscribe, finishBatch, deliver } = await setup();
    const endpoint = await subscribe();
    const { messages } = await finishBatch();
    const res = await edge.fetch(`/v1/webhook_endpoints/${endpoint.id}`, { method: "DELETE", key });
    expect(res.status).toBe(200);
    expect((await deliver(messages)).acked).toHaveLength(1);
    expect(await deliveryRow(messages[0].delivery_id)).toBeNull(); // deleted with its endpoint
    expect(hook.received).toEqual([]);
  });

  it("a delivery whose endpoint row vanished is failed, not retried", async () => {
    const { hook, subscribe, finishBatch, deliver } = await setup();
    const endpoint = await subscribe();
    const { messages } = await finishBatch();
    await env.DB.prepare("DELETE FROM webhook_endpoints WHERE id = ?").bind(endpoint.id).run();
    expect((await deliver(messages)).acked).toHaveLength(1);
    expect(await deliveryRow(messages[0].delivery_id)).toMatchObject({
      status: "failed",
      last_error: "the endpoint was deleted",
    });
    expect(hook.received).toEqual([]);
  });

  it("an endpoint disabled after the event was queued gets nothing; the delivery is failed", async () => {
    const { hook, subscribe, finishBatch, deliver, endpoints } = await setup();
    const endpoint = await subscribe();
    const { messages } = await finishBatch();
    await env.DB.prepare("UPDATE webhook_endpoints SET disabled_at = 1, disabled_reason = 'test' WHERE id = ?")
      .bind(endpoint.id)
      .run();
    expect((await deliver(messages)).acked).toHaveLength(1);
    expect(hook.received).toEqual([]);
    const [listed] = await endpoints();
    expect(listed).toMatchObject({ status: "disabled" });
    expect(listed.deliveries[0]).toMatchObject({
      status: "failed",
      attempts: 0,
      last_error: "the endpoint is disabled",
    });
  });

  it("a signing secret sealed under other key material fails the delivery without sending", async () => {
    const { hook, subscribe, finishBatch } = await setup();
    await subscribe();
    const { messages } = await finishBatch();
    // The same database, after an operator replaced WEBHOOK_SECRET_KEY without keeping the old one
    // in WEBHOOK_SECRET_KEY_PREVIOUS.
    const rotated = new Edge({ webhookFetch: hook.fetch, env: { WEBHOOK_SECRET_KEY: "another-key-0123456789" } });
    const result = await runQueue(rotated.worker, rotated.env, WEBHOOK_QUEUE_NAME, [delivery(messages[0])]);
    expect(result.acked).toHaveLength(1);
    expect(hook.received).toEqual([]);
    expect(await deliveryRow(messages[0].delivery_id)).toMatchObject({
      status: "failed",
      last_error: "the signing secret can no longer be decrypted; recreate the endpoint",
    });
  });

  it("two copies of one message at once: one sends, the other waits out the lease", async () => {
    const arrived = gate();
    const hold = gate();
    const { hook, subscribe, finishBatch, deliver } = await setup([
      async () => {
        arrived.open();
        await hold.promise;
        return 200;
      },
    ]);
    await subscribe();
    const { messages } = await finishBatch();
    const first = deliver(messages);
    await arrived.promise; // the first copy is at the receiver, holding the lease
    const second = await deliver(messages);
    expect(second.retried).toHaveLength(1);
    expect(second.retried[0].delaySeconds).toBe(30); // the lease: the 15 s timeout + 15 s
    hold.open();
    expect((await first).acked).toHaveLength(1);
    expect(hook.received).toHaveLength(1);
    // The late copy, redelivered after the lease, finds the delivery done and sends nothing.
    expect((await deliver(messages, 2)).acked).toHaveLength(1);
    expect(hook.received).toHaveLength(1);
    expect(await deliveryRow(messages[0].delivery_id)).toMatchObject({ status: "delivered", attempts: 1 });
  });

  it("an exception in the consumer retries the message and frees the lease", async () => {
    const db = failingOnce(env.DB, "SET status = ?, attempts = ?");
    const { hook, subscribe, finishBatch, deliver } = await setup([], { env: { DB: db } });
    await subscribe();
    const { messages } = await finishBatch();
    const first = await deliver(messages);
    expect(first.retried).toHaveLength(1);
    expect(first.retried[0].delaySeconds).toBe(10);
    expect(await deliveryRow(messages[0].delivery_id)).toMatchObject({
      status: "pending",
      attempts: 0,
      leased_until: null,
    });
    // At least once: the attempt whose result was lost is made again, at once (no lease).
    expect((await deliver(messages, 2)).acked).toHaveLength(1);
    expect(hook.received).toHaveLength(2);
    expect(await deliveryRow(messages[0].delivery_id)).toMatchObject({ status: "delivered", attempts: 1 });
  });
});
