// Webhook verification against signatures computed independently with node:crypto.
import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fakeClient } from "../../test/fake-fetch";
import { WebhookVerificationError } from "../core/errors";
import { verifyWebhook } from "./webhook-signature";

const key = randomBytes(24);
const secret = `whsec_${key.toString("base64")}`;
const NOW = 1_795_772_462_000;
const timestamp = String(NOW / 1000);
const payload = JSON.stringify({ id: "evt_1", object: "event", type: "batch.completed", created_at: 1, data: {} });

/** Signs as the server does, independently of the SDK: node:crypto HMAC-SHA256. */
function sign(body: string, ts = timestamp, id = "evt_1", signingKey: Buffer = key) {
  return createHmac("sha256", signingKey).update(`${id}.${ts}.${body}`).digest("base64");
}

function headers(signature: string, ts = timestamp) {
  return { "webhook-id": "evt_1", "webhook-timestamp": ts, "webhook-signature": signature };
}

describe("webhooks.verify", () => {
  it("accepts a valid signature and returns the event", async () => {
    const { client } = fakeClient([]);
    const event = await client.webhooks.verify(payload, headers(`v1,${sign(payload)}`), secret, { now: NOW });
    expect(event).toEqual(JSON.parse(payload));
  });

  it("accepts Headers and any matching signature among several", async () => {
    const other = sign(payload, timestamp, "evt_1", randomBytes(24));
    const list = `v1,${other} v2,${sign(payload)} v1,${sign(payload)}`;
    const event = await verifyWebhook(payload, new Headers(headers(list)), secret, { now: NOW });
    expect(event.id).toBe("evt_1");
  });

  it("accepts Node-style headers with array values and mixed case", async () => {
    const nodeHeaders = {
      "Webhook-Id": ["evt_1"],
      "WEBHOOK-TIMESTAMP": timestamp,
      "webhook-signature": `v1,${sign(payload)}`,
    };
    await expect(verifyWebhook(payload, nodeHeaders, secret, { now: NOW })).resolves.toMatchObject({ id: "evt_1" });
  });

  it.each([
    ["a wrong secret", payload, `v1,${sign(payload, timestamp, "evt_1", randomBytes(24))}`, timestamp],
    ["a tampered payload", payload.replace("completed", "failed"), `v1,${sign(payload)}`, timestamp],
    ["an old timestamp", payload, `v1,${sign(payload, String(NOW / 1000 - 301))}`, String(NOW / 1000 - 301)],
    ["a future timestamp", payload, `v1,${sign(payload, String(NOW / 1000 + 301))}`, String(NOW / 1000 + 301)],
    ["a malformed signature", payload, "v1,***", timestamp],
    ["a missing signature", payload, "", timestamp],
  ])("rejects %s", async (_, body, signature, ts) => {
    await expect(verifyWebhook(body, headers(signature, ts), secret, { now: NOW })).rejects.toBeInstanceOf(
      WebhookVerificationError,
    );
  });

  it("accepts timestamps within the 300 s tolerance both ways", async () => {
    for (const offset of [-300, 300]) {
      const ts = String(NOW / 1000 + offset);
      await expect(
        verifyWebhook(payload, headers(`v1,${sign(payload, ts)}`, ts), secret, { now: NOW }),
      ).resolves.toBeTruthy();
    }
  });

  it("rejects a signature made for another timestamp", async () => {
    const ts = String(NOW / 1000 - 10);
    await expect(verifyWebhook(payload, headers(`v1,${sign(payload)}`, ts), secret, { now: NOW })).rejects.toThrow(
      /No matching signature/,
    );
  });

  it("rejects a secret that is not base64", async () => {
    await expect(verifyWebhook(payload, headers(`v1,${sign(payload)}`), "whsec_!!!", { now: NOW })).rejects.toThrow(
      /whsec_/,
    );
  });
});
