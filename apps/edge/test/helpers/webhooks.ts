// Webhook tests' pieces: a scripted receiver, an independent Standard Webhooks verifier, and an
// edge with one account, a subscribe helper, a finished batch and a delivery driver.
import { WEBHOOK_QUEUE_NAME } from "../../src/webhooks/messages";
import { createInline, lines } from "./batches";
import { Edge, type EdgeOptions, type Loose } from "./edge";
import { delivery, runQueue } from "./queues";

export interface Received {
  headers: Headers;
  body: string;
}

/** What the receiver does with one request: answer a status, fail (network), or run a script. */
export type Outcome = number | Error | (() => Promise<number>);

/** A scripted receiver: one outcome per request in order (then 200); records every request. */
export function receiver(outcomes: Outcome[] = []) {
  const received: Received[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    received.push({ headers: request.headers, body: await request.text() });
    const outcome = outcomes.shift() ?? 200;
    if (outcome instanceof Error) throw outcome;
    return new Response("", { status: typeof outcome === "function" ? await outcome() : outcome });
  };
  return { received, fetch };
}

/** Standard Webhooks verification written from the spec, independent of the edge's signer. */
export async function verify(secret: string, r: Received): Promise<boolean> {
  const key = await crypto.subtle.importKey(
    "raw",
    Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (c) => c.charCodeAt(0)),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const id = r.headers.get("webhook-id");
  const timestamp = r.headers.get("webhook-timestamp");
  if (!id || !timestamp || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const content = new TextEncoder().encode(`${id}.${timestamp}.${r.body}`);
  for (const entry of (r.headers.get("webhook-signature") ?? "").split(" ")) {
    const [version, b64] = entry.split(",");
    if (version !== "v1" || !b64) continue;
    const mac = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    if (await crypto.subtle.verify("HMAC", key, mac, content)) return true;
  }
  return false;
}

export async function setup(outcomes: Outcome[] = [], options: EdgeOptions = {}) {
  const hook = receiver(outcomes);
  const edge = new Edge({ webhookFetch: hook.fetch, ...options });
  const { key, accountId } = await edge.newKey();
  const subscribe = async (url = "https://hooks.test/mmgpt", events = ["batch.completed", "batch.cancelled"]) => {
    const res = await edge.fetch("/v1/webhook_endpoints", { method: "POST", key, json: { url, events } });
    if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
    return (await res.json()) as Loose;
  };
  /** A finished 2-request batch; returns the webhook messages its event queued. */
  const finishBatch = async () => {
    const batch = await createInline(edge, key, lines(2));
    await edge.drainBatchQueue();
    return { batch, messages: edge.webhookQueue.take() };
  };
  const deliver = (messages: { delivery_id: string }[], attempts = 1) =>
    runQueue(
      edge.worker,
      edge.env,
      WEBHOOK_QUEUE_NAME,
      messages.map((m) => delivery(m, attempts)),
    );
  const endpoints = async () => ((await (await edge.fetch("/v1/webhook_endpoints", { key })).json()) as Loose).data;
  return { edge, key, accountId, hook, subscribe, finishBatch, deliver, endpoints };
}
