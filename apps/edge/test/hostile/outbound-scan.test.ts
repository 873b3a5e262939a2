// Issue #15 item 6, webhook endpoints as a port scanner: an account points endpoints at
// host:port after host:port and reads back what each delivery met. Whatever the target did
// (refused, filtered, spoke another protocol, answered an HTTP error or a redirect), the account
// sees the same delivery: status, attempts and one generic error, no status code, no network
// text, and the failure recorded at the same time after the attempt's start.
import { WEBHOOK_DELIVERY_ERRORS } from "@mmgpt/schema";
import { describe, expect, it } from "vitest";
import { DELIVERY_TIMEOUT_MS } from "../../src/webhooks/deliver";
import type { Loose } from "../helpers/edge";
import { type Outcome, setup } from "../helpers/webhooks";

const TARGETS: Array<[string, Outcome]> = [
  ["a closed port", new TypeError("connect ECONNREFUSED 203.0.113.9:8443")],
  ["a filtered port", new DOMException("The operation timed out.", "TimeoutError")],
  ["a host that does not resolve", new TypeError("getaddrinfo ENOTFOUND db.corp.example")],
  ["a port speaking SSH", new Error("TLS handshake failed: SSH-2.0-OpenSSH_9.6")],
  ["an HTTP 404", 404],
  ["an HTTP 500", 500],
  ["an HTTP 401", 401],
  ["an HTTP 301 redirect", 301],
];

async function attemptOnce(outcome: Outcome) {
  const { edge, subscribe, finishBatch, deliver, endpoints } = await setup([outcome]);
  await subscribe();
  const { messages } = await finishBatch();
  const { retried } = await deliver(messages);
  const [endpoint] = (await endpoints()) as Loose[];
  return { retried, endpoint, delivery: endpoint.deliveries[0] as Loose, sleeps: edge.sleeps };
}

describe("hostile input: webhook endpoints aimed at hosts and ports", () => {
  it("show the same generic delivery, at the same time, whatever the target did", async () => {
    const views: string[] = [];
    for (const [name, outcome] of TARGETS) {
      const { retried, endpoint, delivery, sleeps } = await attemptOnce(outcome);
      expect(retried, name).toHaveLength(1);
      expect(delivery, name).toMatchObject({
        status: "pending",
        attempts: 1,
        last_error: WEBHOOK_DELIVERY_ERRORS.notAcknowledged,
        delivered_at: null,
      });
      expect(Object.keys(delivery).sort(), name).toEqual(
        [
          "id",
          "event_id",
          "event_type",
          "status",
          "attempts",
          "last_attempt_at",
          "last_error",
          "next_attempt_at",
          "delivered_at",
        ].sort(),
      );
      // Ids are random ("we_…27sshy7fz" once matched /SSH/i): blank them before reading the text.
      const text = JSON.stringify(endpoint, (key, value) => (key === "id" || key.endsWith("_id") ? "<id>" : value));
      expect(text, name).not.toMatch(/status_code|ECONNREFUSED|ENOTFOUND|SSH|timed out|redirect/i);
      expect(text, name).not.toMatch(/[":, ](301|401|404|500)[",}]/);
      // Recorded DELIVERY_TIMEOUT_MS after the attempt began, however fast the target failed.
      expect(sleeps, name).toHaveLength(1);
      const waited = sleeps[0]! - delivery.last_attempt_at * 1000;
      expect(waited, name).toBeGreaterThanOrEqual(DELIVERY_TIMEOUT_MS);
      expect(waited, name).toBeLessThan(DELIVERY_TIMEOUT_MS + 1000);
      views.push(JSON.stringify({ ...delivery, id: 0, event_id: 0, last_attempt_at: 0, next_attempt_at: 0 }));
    }
    expect(new Set(views).size).toBe(1);
  });

  it("an acknowledged delivery is recorded at once", async () => {
    const { delivery, sleeps } = await attemptOnce(204);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 1, last_error: null });
    expect(sleeps).toEqual([]);
  });
});
