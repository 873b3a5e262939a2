// A batch end to end against the real stack (npm start: wrangler dev with local Queues, the
// runner): a webhook endpoint on a local receiver, three requests with an image through the
// queue, results downloaded as JSONL, and exactly one signed batch.completed delivery that the
// SDK's verifier accepts.
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type BatchOutputLine, imagePart, MMGPT, textPart } from "@mmgpt/sdk";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const image = new Uint8Array(
  readFileSync(join(import.meta.dirname, "../../apps/edge/test/vectors/images/jpeg-exif6.jpg")),
);
const client = new MMGPT({ baseURL: inject("baseURL"), apiKey: inject("apiKey") });

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
}

const deliveries: Delivery[] = [];
let delivered: () => void;
const firstDelivery = new Promise<void>((resolve) => {
  delivered = resolve;
});
const receiver = createServer((req, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    deliveries.push({ headers: req.headers, body });
    res.writeHead(204).end();
    delivered();
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
});

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("batches end to end", () => {
  it("a 3-request batch with an image completes, downloads, and sends one signed webhook", async () => {
    const { port } = receiver.address() as AddressInfo;
    const endpoint = await client.webhookEndpoints.create({
      url: `http://127.0.0.1:${port}/hooks/mmgpt`,
      events: ["batch.completed", "batch.failed", "batch.expired", "batch.cancelled"],
    });
    expect(endpoint.secret).toMatch(/^whsec_/);

    const content = [textPart("Describe this image."), await imagePart(image)];
    const body = (text: string) => ({
      model: "mmgpt-tiny",
      max_tokens: 6,
      messages: [{ role: "user" as const, content: text }],
    });
    const created = await client.batches.create({
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      metadata: { test: "e2e" },
      requests: [
        {
          custom_id: "image",
          method: "POST",
          url: "/v1/chat/completions",
          body: { ...body(""), messages: [{ role: "user", content }] },
        },
        { custom_id: "hello", method: "POST", url: "/v1/chat/completions", body: body("Say hello.") },
        { custom_id: "count", method: "POST", url: "/v1/chat/completions", body: body("Count to three.") },
      ],
    });
    expect(created.request_counts.total).toBe(3);

    const batch = await until("the batch to finish", 45_000, async () => {
      const b = await client.batches.retrieve(created.id);
      return ["completed", "failed", "expired", "cancelled"].includes(b.status) ? b : undefined;
    });
    expect(batch).toMatchObject({ status: "completed", request_counts: { total: 3, completed: 3, failed: 0 } });

    const lines: BatchOutputLine[] = [];
    for await (const line of await client.batches.results(created.id)) lines.push(line);
    expect(lines.map((l) => l.custom_id).sort()).toEqual(["count", "hello", "image"]);
    for (const line of lines) {
      expect(line.response?.status_code).toBe(200);
      const completion = line.response?.body as { choices: Array<{ message: { content: string } }> };
      expect(completion.choices[0].message.content.length).toBeGreaterThan(0);
    }

    // The webhook is the event: wait for it (the test's timeout bounds the wait).
    await firstDelivery;
    const [delivery] = deliveries;
    // Only a replayed creation has a null secret (it is never stored); this one was the first.
    if (!endpoint.secret) throw new Error("a new webhook endpoint shows its secret");
    const event = await client.webhooks.verify(delivery.body, delivery.headers, endpoint.secret);
    expect(event).toMatchObject({ type: "batch.completed", data: { id: created.id, status: "completed" } });
    expect(delivery.headers["webhook-id"]).toBe(event.id);
    // Exactly one delivery: the edge's own record (an extension field of the endpoint) says the
    // first attempt succeeded, so no retry is pending; then the receiver has that one request.
    const record = await until("the delivery record", 30_000, async () => {
      const listed = (await client.webhookEndpoints.list().page()).data.find((e) => e.id === endpoint.id) as
        | { deliveries?: { event_id: string; status: string; attempts: number }[] }
        | undefined;
      const found = listed?.deliveries?.find((d) => d.event_id === event.id);
      return found?.status === "delivered" ? listed!.deliveries! : undefined;
    });
    expect(record).toEqual([expect.objectContaining({ event_id: event.id, status: "delivered", attempts: 1 })]);
    expect(deliveries).toHaveLength(1);
    await client.webhookEndpoints.delete(endpoint.id);
  });
});
