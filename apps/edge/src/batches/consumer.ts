// The batch queue consumer: runs each message's request with bounded concurrency
// (BATCH_CONCURRENCY per invocation; the queue's max_concurrency bounds invocations), acks or
// retries every message explicitly, and tells the account's dispatcher when a line is done so
// that its next line goes on the queue (dispatch.ts). At least once: a message is acked only after its result is
// recorded; exactly once: the BatchDO keeps the first result per line and skips lines it has.
import { edgeConfig } from "../config";
import type { Bindings, Deps } from "../env";
import { lineDone } from "./dispatch";
import { finalizeBatch } from "./finalize";
import { batchStub } from "./index-store";
import type { BatchMessage } from "./messages";
import { runLine } from "./run-line";

/** Attempts of one request before a transient failure is recorded as its result. */
export const MAX_REQUEST_ATTEMPTS = 8;

/** 5 s, 10 s, 20 s … capped at 5 min, ±20 % jitter. */
export function backoffSeconds(attempts: number, random = Math.random): number {
  const base = Math.min(300, 5 * 2 ** Math.max(0, attempts - 1));
  return Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
}

async function handle(message: Message<BatchMessage>, env: Bindings, deps: Deps): Promise<void> {
  const { batch_id, line } = message.body;
  const stub = batchStub(env, batch_id);
  // The lease outlives a runner call (header timeout) and an image fetch with margin.
  const claim = await stub.claim(line, 2 * edgeConfig(env).runnerTimeoutMs + 30_000);
  if (claim.kind === "skip") {
    await lineDone(env, message.body, claim.stopped);
    return message.ack();
  }
  if (claim.kind === "busy") return message.retry({ delaySeconds: claim.retryAfterSeconds });
  const outcome = await runLine(env, deps, claim);
  if (outcome.transient && message.attempts < MAX_REQUEST_ATTEMPTS) {
    // The line keeps its place in the account's share while it waits for its retry.
    if (await stub.release(line)) await finalizeBatch(env, stub);
    return message.retry({ delaySeconds: backoffSeconds(message.attempts) });
  }
  if (await stub.record(line, outcome.ok, outcome.output)) await finalizeBatch(env, stub);
  // Before the ack: if telling the dispatcher fails, the redelivered message finds the line
  // recorded (a skip) and tells it then.
  await lineDone(env, message.body, false);
  message.ack();
}

export async function consumeBatchRequests(
  batch: MessageBatch<BatchMessage>,
  env: Bindings,
  deps: Deps,
): Promise<void> {
  const queue = [...batch.messages];
  const worker = async () => {
    for (let message = queue.shift(); message; message = queue.shift()) {
      try {
        await handle(message, env, deps);
      } catch (error) {
        console.error(`batch ${message.body.batch_id} line ${message.body.line}: consumer error`, error);
        message.retry({ delaySeconds: backoffSeconds(message.attempts) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(edgeConfig(env).batchConcurrency, queue.length) }, worker));
}
