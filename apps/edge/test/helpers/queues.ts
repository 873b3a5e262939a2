// Queues in tests: a recording producer (what the code sent) and a driver that hands messages
// to the worker's queue() handler through createMessageBatch/getQueueResult, reporting which
// were acked and which asked for a retry (with its delay). Nothing waits for real delays.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import type { Bindings } from "../../src/env";

export class RecordingQueue<T> implements Queue<T> {
  private pending: T[] = [];
  /** Every body ever sent, in order. */
  readonly all: T[] = [];

  async metrics(): Promise<QueueMetrics> {
    return { backlogCount: this.pending.length, backlogBytes: 0 };
  }

  async send(body: T): Promise<QueueSendResponse> {
    this.pending.push(body);
    this.all.push(body);
    return { metadata: { metrics: { backlogCount: this.pending.length, backlogBytes: 0 } } };
  }

  async sendBatch(messages: Iterable<MessageSendRequest<T>>): Promise<QueueSendBatchResponse> {
    for (const m of messages) await this.send(m.body);
    return { metadata: { metrics: { backlogCount: this.pending.length, backlogBytes: 0 } } };
  }

  /** The bodies sent since the last take, oldest first; at most `max` of them. */
  take(max = Number.POSITIVE_INFINITY): T[] {
    return this.pending.splice(0, max);
  }
}

export interface Delivery<T> {
  id: string;
  body: T;
  attempts: number;
}

export interface Retried<T> extends Delivery<T> {
  delaySeconds: number | undefined;
}

export interface QueueHandler {
  queue(batch: MessageBatch<unknown>, env: Bindings, ctx: ExecutionContext): Promise<void>;
}

let counter = 0;
export function delivery<T>(body: T, attempts = 1): Delivery<T> {
  return { id: `msg-${++counter}`, body, attempts };
}

/** One consumer invocation: which messages were acked, which retried. */
export async function runQueue<T>(
  worker: QueueHandler,
  env: Bindings,
  queue: string,
  messages: Delivery<T>[],
): Promise<{ acked: Delivery<T>[]; retried: Retried<T>[] }> {
  const batch = createMessageBatch<T>(
    queue,
    messages.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts, body: m.body })),
  );
  // The pool's result lists retried ids only: record each retry's delay on the way.
  const delays = new Map<string, number | undefined>();
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    Object.defineProperty(message, "retry", {
      value: (options?: QueueRetryOptions) => {
        delays.set(message.id, options?.delaySeconds);
        retry(options);
      },
    });
  }
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, env, ctx);
  const result = await getQueueResult(batch, ctx);
  const retries = new Map<string, number | undefined>(
    result.retryMessages.map((r: { msgId: string }) => [r.msgId, delays.get(r.msgId)]),
  );
  return {
    acked: messages.filter((m) => !retries.has(m.id) && !result.retryBatch.retry),
    retried: messages.filter((m) => retries.has(m.id)).map((m) => ({ ...m, delaySeconds: retries.get(m.id) })),
  };
}
