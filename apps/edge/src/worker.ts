// The worker's handlers around one set of outbound fetches: the Hono app (fetch), the queue
// consumers (batch requests, webhook deliveries) and the hourly cron. Tests build it with fake
// runners and receivers and drive `queue()` with messages of their own.
import { createApp } from "./app";
import { consumeBatchRequests } from "./batches/consumer";
import { BATCH_QUEUE_NAME, type BatchMessage } from "./batches/messages";
import { edgeConfig } from "./config";
import type { Bindings, Deps } from "./env";
import { pruneIdempotencyKeys } from "./http/idempotency";
import { deliverWebhook } from "./webhooks/deliver";
import { pruneWebhookHistory, requeueStaleDeliveries } from "./webhooks/events";
import { WEBHOOK_QUEUE_NAME, type WebhookMessage } from "./webhooks/messages";
import { resealSecrets } from "./webhooks/secret-box";

async function consumeWebhooks(batch: MessageBatch<WebhookMessage>, env: Bindings, deps: Deps): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        const outcome = await deliverWebhook(env, deps, message.body.delivery_id);
        if (outcome.kind === "retry") message.retry({ delaySeconds: outcome.delaySeconds });
        else message.ack();
      } catch (error) {
        console.error(`webhook delivery ${message.body.delivery_id}: consumer error`, error);
        message.retry({ delaySeconds: 10 });
      }
    }),
  );
}

export function createWorker(deps: Deps) {
  const app = createApp(deps);
  return {
    fetch: app.fetch,
    async queue(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
      edgeConfig(env); // a misconfigured worker leaves every message for a retry
      if (batch.queue === BATCH_QUEUE_NAME) {
        return consumeBatchRequests(batch as MessageBatch<BatchMessage>, env, deps);
      }
      if (batch.queue === WEBHOOK_QUEUE_NAME) return consumeWebhooks(batch as MessageBatch<WebhookMessage>, env, deps);
      console.error(`no consumer for queue ${batch.queue}`);
      batch.retryAll();
    },
    async scheduled(_controller: ScheduledController, env: Bindings, ctx: ExecutionContext): Promise<void> {
      ctx.waitUntil(pruneIdempotencyKeys(env.DB));
      ctx.waitUntil(requeueStaleDeliveries(env));
      ctx.waitUntil(pruneWebhookHistory(env.DB));
      // After a WEBHOOK_SECRET_KEY rotation: move stored secrets onto the current key.
      ctx.waitUntil(resealSecrets(env.DB, edgeConfig(env).webhookSecretKeys));
    },
  } satisfies ExportedHandler<Bindings>;
}
