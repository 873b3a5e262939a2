// Calls the real edge app inside workerd with the test bindings, fake runners and a scripted
// image host, plus shortcuts to issue API keys and read SSE bodies.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { BATCH_QUEUE_NAME, type BatchMessage } from "../../src/batches/messages";
import type { Bindings } from "../../src/env";
import type { WebhookMessage } from "../../src/webhooks/messages";
import { createWorker } from "../../src/worker";
import { FakeRunners } from "./fake-runner";
import { type Delivery, delivery, RecordingQueue, type Retried, runQueue } from "./queues";

export const ADMIN_TOKEN = "test-admin-token-0123456789abcdef";

export interface EdgeOptions {
  runners?: FakeRunners;
  env?: Partial<Bindings>;
  /** Answers https image URLs; defaults to 404. */
  imageFetch?: typeof fetch;
  /** Receives webhook deliveries; defaults to 404. */
  webhookFetch?: typeof fetch;
}

export class Edge {
  readonly runners: FakeRunners;
  readonly worker;
  readonly env: Bindings;
  readonly pending: ExecutionContext[] = [];
  /** The queues the code sends to; tests run their messages with `runBatchQueue` etc. */
  readonly batchQueue = new RecordingQueue<BatchMessage>();
  /** Every time the code waited until (epoch ms); tests do not wait. */
  readonly sleeps: number[] = [];
  readonly webhookQueue = new RecordingQueue<WebhookMessage>();

  constructor(options: EdgeOptions = {}) {
    this.runners = options.runners ?? new FakeRunners();
    this.env = {
      ...env,
      RUNNER_URLS: this.runners.urls,
      BATCH_QUEUE: this.batchQueue,
      WEBHOOK_QUEUE: this.webhookQueue,
      ...options.env,
    };
    const notFound = async () => new Response("no", { status: 404 });
    this.worker = createWorker({
      runnerFetch: this.runners.fetch,
      imageFetch: options.imageFetch ?? notFound,
      webhookFetch: options.webhookFetch ?? notFound,
      sleepUntil: async (atMs) => {
        this.sleeps.push(atMs);
      },
    });
  }

  /** One batch-consumer invocation over `messages` (default: everything sent since last time). */
  async runBatchQueue(
    messages: Delivery<BatchMessage>[] = this.batchQueue.take().map((m) => delivery(m)),
  ): Promise<{ acked: Delivery<BatchMessage>[]; retried: Retried<BatchMessage>[] }> {
    return runQueue(this.worker, this.env, BATCH_QUEUE_NAME, messages);
  }

  /**
   * Runs the batch queue until no message is left, redelivering retried ones at once with
   * attempts + 1 (delays are not waited for). Returns every retry that was asked for.
   */
  async drainBatchQueue(maxRounds = 20): Promise<Retried<BatchMessage>[]> {
    const retries: Retried<BatchMessage>[] = [];
    let next = this.batchQueue.take().map((m) => delivery(m));
    for (let round = 0; next.length && round < maxRounds; round++) {
      const { retried } = await this.runBatchQueue(next);
      retries.push(...retried);
      next = [
        ...retried.map((r) => ({ id: r.id, body: r.body, attempts: r.attempts + 1 })),
        ...this.batchQueue.take().map((m) => delivery(m)),
      ];
    }
    if (next.length) throw new Error(`the batch queue did not drain in ${maxRounds} rounds`);
    return retries;
  }

  async fetch(path: string, init: RequestInit & { key?: string; json?: unknown } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (init.key) headers.set("authorization", `Bearer ${init.key}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(init.json);
    }
    const ctx = createExecutionContext();
    this.pending.push(ctx);
    return this.worker.fetch(new Request(`https://edge.test${path}`, { ...init, headers, body }), this.env, ctx);
  }

  /** Waits for background work (stream relays, commits) of every request so far. */
  async settle(): Promise<void> {
    await Promise.all(this.pending.splice(0).map((ctx) => waitOnExecutionContext(ctx)));
  }

  async newKey(
    accountId = `acct_${crypto.randomUUID().slice(0, 8)}`,
  ): Promise<{ key: string; id: string; accountId: string }> {
    const res = await this.fetch("/v1/admin/api_keys", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      json: { account_id: accountId, name: "test" },
    });
    if (res.status !== 200) throw new Error(`issuing a key failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { key: string; id: string };
    return { key: body.key, id: body.id, accountId };
  }
}

/** The `data:` payloads of an SSE body, parsed as JSON except `[DONE]`. */
export function sseData(text: string): unknown[] {
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice(6))
    .map((data) => (data === "[DONE]" ? data : JSON.parse(data)));
}

/** Named SSE events (the Responses stream): [event name, parsed data]. */
export function sseEvents(text: string): Array<[string | null, Loose]> {
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? null;
      const data = /^data: (.*)$/m.exec(block)![1]!;
      return [event, data === "[DONE]" ? data : JSON.parse(data)];
    });
}

export function chatBody(content: unknown, extra: Record<string, unknown> = {}) {
  return { model: "mmgpt-tiny", messages: [{ role: "user", content }], ...extra };
}

/** Response bodies in assertions: tests index into JSON freely; the contract tests own the shapes. */
// biome-ignore lint/suspicious/noExplicitAny: one escape hatch for loosely typed test JSON
export type Loose = any;
