// The worker side of the per-account share of the batch queue (dispatch-do.ts): hand a new
// batch's lines to its account's dispatcher, report finished lines, and send whatever lines the
// dispatcher releases in return.
import { edgeConfig } from "../config";
import type { Bindings } from "../env";
import type { BatchMessage } from "./messages";

function dispatcher(env: Pick<Bindings, "BATCH_DISPATCH">, accountId: string) {
  return env.BATCH_DISPATCH.get(env.BATCH_DISPATCH.idFromName(accountId));
}

async function send(env: Pick<Bindings, "BATCH_QUEUE">, messages: BatchMessage[]): Promise<void> {
  // sendBatch takes at most 100 messages.
  for (let i = 0; i < messages.length; i += 100) {
    await env.BATCH_QUEUE.sendBatch(messages.slice(i, i + 100).map((body) => ({ body })));
  }
}

/** Queues the first lines of a new batch; the rest follow as the account's lines finish. */
export async function dispatchBatch(env: Bindings, accountId: string, batchId: string, lines: number[]) {
  const limit = edgeConfig(env).batchAccountLines;
  await send(env, await dispatcher(env, accountId).add(accountId, batchId, lines, limit));
}

/**
 * The consumer is done with a message's line: recorded, or its batch stopped (final or
 * cancelling: the batch's waiting lines are dropped). Sends the lines released in its place.
 */
export async function lineDone(env: Bindings, message: BatchMessage, stopped: boolean): Promise<void> {
  if (!message.account_id) return;
  const limit = edgeConfig(env).batchAccountLines;
  const stub = dispatcher(env, message.account_id);
  await send(env, await stub.done(message.account_id, message.batch_id, message.line, stopped, limit));
}

/** A batch stopped before its lines ran (cancelled, or queueing failed): free its share. */
export async function dropBatch(env: Bindings, accountId: string, batchId: string): Promise<void> {
  const limit = edgeConfig(env).batchAccountLines;
  await send(env, await dispatcher(env, accountId).drop(accountId, batchId, limit));
}
