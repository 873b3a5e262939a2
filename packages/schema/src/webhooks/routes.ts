// Routes of /v1/webhook_endpoints, and the outgoing webhooks (the document's `webhooks` section).
import { createRoute } from "@hono/zod-openapi";
import { batchExample } from "../batches/examples";
import {
  BASE_ERRORS,
  errorResponses,
  IdempotencyHeaders,
  jsonResponse,
  paginationQuery,
  pathParam,
  WebhookEndpointId,
} from "../common";
import {
  CreateWebhookEndpointRequest,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_TOLERANCE_SECONDS,
  type WebhookEndpoint,
  WebhookEndpointDeleted,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
  WebhookEvent,
  WebhookHeaders,
} from "./schemas";

const tags = ["Webhooks"];
export const WebhookEndpointParams = pathParam("webhook_endpoint_id", WebhookEndpointId);

const endpointExample: WebhookEndpoint = {
  id: "we_0d93f8c1e2",
  object: "webhook_endpoint",
  url: "https://example.com/hooks/mmgpt",
  events: ["batch.completed", "batch.failed"],
  description: "nightly jobs",
  created_at: 1795772400,
  status: "enabled",
  disabled_reason: null,
  deliveries: [
    {
      id: "whd_01m8y80v0f82k83f8snwf2p7by",
      event_id: "evt_4e5f6a7b8c",
      event_type: "batch.completed",
      status: "delivered",
      attempts: 1,
      last_attempt_at: 1795772462,
      last_error: null,
      next_attempt_at: null,
      delivered_at: 1795772462,
    },
  ],
};

export const createWebhookEndpointRoute = createRoute({
  method: "post",
  path: "/v1/webhook_endpoints",
  operationId: "createWebhookEndpoint",
  tags,
  summary: "Subscribe a webhook endpoint",
  description: "Returns the signing secret (`whsec_…`) once; store it to verify deliveries.",
  request: {
    headers: IdempotencyHeaders,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: CreateWebhookEndpointRequest,
          example: { url: endpointExample.url, events: endpointExample.events, description: "nightly jobs" },
        },
      },
    },
  },
  responses: {
    200: jsonResponse(WebhookEndpointWithSecret, "The endpoint, with its secret.", {
      ...endpointExample,
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    }),
    ...errorResponses(...BASE_ERRORS),
  },
});

export const listWebhookEndpointsRoute = createRoute({
  method: "get",
  path: "/v1/webhook_endpoints",
  operationId: "listWebhookEndpoints",
  tags,
  summary: "List webhook endpoints",
  request: { query: paginationQuery("desc") },
  responses: {
    200: jsonResponse(WebhookEndpointList, "A page of endpoints (secrets are not included).", {
      object: "list",
      data: [endpointExample],
      has_more: false,
      first_id: endpointExample.id,
      last_id: endpointExample.id,
    }),
    ...errorResponses(...BASE_ERRORS),
  },
});

export const deleteWebhookEndpointRoute = createRoute({
  method: "delete",
  path: "/v1/webhook_endpoints/{webhook_endpoint_id}",
  operationId: "deleteWebhookEndpoint",
  tags,
  summary: "Delete a webhook endpoint",
  request: { params: WebhookEndpointParams },
  responses: {
    200: jsonResponse(WebhookEndpointDeleted, "Deleted.", {
      id: endpointExample.id,
      object: "webhook_endpoint.deleted",
      deleted: true,
    }),
    ...errorResponses(...BASE_ERRORS, 404),
  },
});

/** One outgoing webhook per event type, for the document's `webhooks` section. */
export const webhookDefinitions = WEBHOOK_EVENT_TYPES.map((type) => ({
  method: "post" as const,
  path: type,
  operationId: `webhook.${type}`,
  tags,
  summary: `Event ${type}`,
  description: `Sent to endpoints subscribed to \`${type}\`. Verify \`webhook-signature\` (Standard Webhooks, ${WEBHOOK_TOLERANCE_SECONDS} s tolerance) before trusting the body. Answer 2xx within 15 s; anything else is retried with backoff for about 17 h.`,
  request: {
    headers: WebhookHeaders,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: WebhookEvent,
          example: { id: "evt_4e5f6a7b8c", object: "event", type, created_at: 1795772462, data: batchExample },
        },
      },
    },
  },
  responses: { 200: { description: "Acknowledged. Any 2xx status acknowledges the delivery." } },
}));
