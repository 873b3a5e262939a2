// The worker side of the end of a batch: let the BatchDO write its files and set the final
// status, then put the event into the webhook outbox and tell the DO (whose alarm would
// otherwise emit it).
import type { Bindings } from "../env";
import { emitEvent } from "../webhooks/events";
import type { BatchDO } from "./batch-do";

export async function finalizeBatch(
  env: Pick<Bindings, "DB" | "WEBHOOK_QUEUE">,
  stub: DurableObjectStub<BatchDO>,
): Promise<void> {
  const { event, accountId } = await stub.finalize();
  if (!event) return;
  await emitEvent(env, accountId, event);
  await stub.markEmitted();
}
