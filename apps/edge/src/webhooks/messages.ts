// The webhook queue's message: one delivery (event × endpoint) of the D1 outbox.
export interface WebhookMessage {
  delivery_id: string;
}

export const WEBHOOK_QUEUE_NAME = "mmgpt-webhooks";
