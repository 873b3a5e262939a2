// Webhook endpoints and the events sent to them, signed per Standard Webhooks
// (https://www.standardwebhooks.com): HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`
// with the base64 secret after `whsec_`, sent as `webhook-signature: v1,<base64>`.
import { z } from "@hono/zod-openapi";
import { Batch } from "../batches/schemas";
import { listOf, SECRET_PREFIXES, UnixTime } from "../common";

export const WEBHOOK_EVENT_TYPES = ["batch.completed", "batch.failed", "batch.cancelled", "batch.expired"] as const;
export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES).openapi("WebhookEventType");
export type WebhookEventType = z.infer<typeof WebhookEventType>;

export const WEBHOOK_HEADERS = {
  id: "webhook-id",
  timestamp: "webhook-timestamp",
  signature: "webhook-signature",
} as const;
export const WEBHOOK_SIGNATURE_VERSION = "v1";
/** Receivers should reject timestamps further than this from their clock (replay protection). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
/** Delay before each retry of an unacknowledged delivery; then the delivery is dropped. */
export const WEBHOOK_RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000] as const;

/** The exact bytes that are signed. */
export function webhookSignedContent(id: string, timestamp: number | string, body: string): string {
  return `${id}.${timestamp}.${body}`;
}

const HttpsUrl = z
  .string()
  .max(2048)
  .refine(
    (value) => {
      try {
        return new URL(value).protocol === "https:";
      } catch {
        return false;
      }
    },
    { message: "must be an https:// URL" },
  )
  .openapi({ example: "https://example.com/hooks/mmgpt" });

export const WEBHOOK_DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;

/**
 * The texts a delivery's `last_error` can hold. Whatever went wrong on the way (refused
 * connection, DNS, TLS, a timeout, an answer other than 2xx) reads the same, without a status
 * code, and a failed attempt is recorded at the same time after its start whatever the cause:
 * otherwise endpoint URLs pointed at host after host would tell open ports from closed or
 * filtered ones (a port scanner run by the edge).
 */
export const WEBHOOK_DELIVERY_ERRORS = {
  notAcknowledged: "the endpoint did not acknowledge the event (no 2xx answer in time)",
  refused: "the endpoint URL is not allowed (https to a public host only)",
  deleted: "the endpoint was deleted",
  disabled: "the endpoint is disabled",
  secretLost: "the signing secret can no longer be decrypted; recreate the endpoint",
} as const;

const nullableTime = UnixTime.nullable();

export const WebhookDelivery = z
  .object({
    id: z.string().openapi({ example: "whd_01m8y80v0f82k83f8snwf2p7by" }),
    event_id: z.string(),
    event_type: WebhookEventType,
    status: z.enum(WEBHOOK_DELIVERY_STATUSES).openapi({
      description: "`pending` while attempts remain, `delivered` once acknowledged (2xx), else `failed`.",
    }),
    attempts: z.number().int().nonnegative(),
    last_attempt_at: nullableTime,
    last_error: z
      .enum(Object.values(WEBHOOK_DELIVERY_ERRORS) as [string, ...string[]])
      .nullable()
      .openapi({ description: "Why the last attempt failed, in generic terms (no status code, no network detail)." }),
    next_attempt_at: nullableTime.openapi({ description: "When a pending delivery is tried again." }),
    delivered_at: nullableTime,
  })
  .openapi("WebhookDelivery");
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookEndpoint = z
  .object({
    id: z.string().openapi({ example: "we_0d93f8c1e2" }),
    object: z.literal("webhook_endpoint"),
    url: z.string(),
    events: z.array(WebhookEventType),
    description: z.string().nullable(),
    created_at: UnixTime,
    status: z.enum(["enabled", "disabled"]).openapi({
      description: "`disabled` once the endpoint answered 410 Gone: nothing is sent to it any more.",
    }),
    disabled_reason: z.string().nullable(),
    deliveries: z.array(WebhookDelivery).openapi({ description: "The latest 5 deliveries, newest first." }),
  })
  .openapi("WebhookEndpoint");
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

export const WebhookEndpointWithSecret = WebhookEndpoint.extend({
  secret: z.string().startsWith(SECRET_PREFIXES.webhookSecret).nullable().openapi({
    description:
      "Signing secret; shown only in this response. Never stored in clear: an Idempotency-Key replay of this response has `null` here (if the first answer was lost, delete the endpoint and create another).",
    example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  }),
}).openapi("WebhookEndpointWithSecret");
export type WebhookEndpointWithSecret = z.infer<typeof WebhookEndpointWithSecret>;

export const CreateWebhookEndpointRequest = z
  .strictObject({
    url: HttpsUrl,
    events: z
      .array(WebhookEventType)
      .min(1)
      .refine((events) => new Set(events).size === events.length, { message: "events must be unique" }),
    description: z.string().max(256).optional(),
  })
  .openapi("CreateWebhookEndpointRequest");
export type CreateWebhookEndpointRequest = z.infer<typeof CreateWebhookEndpointRequest>;

export const WebhookEndpointDeleted = z
  .object({ id: z.string(), object: z.literal("webhook_endpoint.deleted"), deleted: z.literal(true) })
  .openapi("WebhookEndpointDeleted");
export type WebhookEndpointDeleted = z.infer<typeof WebhookEndpointDeleted>;

export const WebhookEndpointList = listOf(WebhookEndpoint, "WebhookEndpointList");
export type WebhookEndpointList = z.infer<typeof WebhookEndpointList>;

export const WebhookEvent = z
  .object({
    id: z
      .string()
      .openapi({ description: "Also the `webhook-id` header; deduplicate on it.", example: "evt_4e5f6a7b8c" }),
    object: z.literal("event"),
    type: WebhookEventType,
    created_at: UnixTime,
    data: Batch,
  })
  .openapi("WebhookEvent", {
    description: "Sent as the POST body to subscribed endpoints; `data` is the batch in its final status.",
  });
export type WebhookEvent = z.infer<typeof WebhookEvent>;

export const WebhookHeaders = z.object({
  [WEBHOOK_HEADERS.id]: z.string().openapi({ description: "The event id.", example: "evt_4e5f6a7b8c" }),
  [WEBHOOK_HEADERS.timestamp]: z
    .string()
    .openapi({ description: "Unix seconds of this attempt.", example: "1795772462" }),
  [WEBHOOK_HEADERS.signature]: z.string().openapi({
    description: "Space-separated `v1,<base64 HMAC-SHA256>` signatures (several while a secret rotates).",
    example: "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
  }),
});
