// /v1/webhook_endpoints: subscribe (the `whsec_` secret is returned once and kept encrypted),
// list (with the delivery-health extension fields) and delete, all scoped to the account.
import { createRoute, z } from "@hono/zod-openapi";
import {
  CreateWebhookEndpointRequest,
  createWebhookEndpointRoute,
  deleteWebhookEndpointRoute,
  ID_PREFIXES,
  LIMITS,
  listWebhookEndpointsRoute,
  SECRET_PREFIXES,
} from "@mmgpt/schema";
import { edgeConfig } from "../config";
import { ApiError, notFound } from "../errors/api-error";
import { withholdOnReplay } from "../http/idempotency";
import { newId, unixSeconds } from "../http/ids";
import { toPage } from "../http/pagination";
import { newRouter } from "../http/router";
import { checkOutboundUrl } from "../net/address-policy";
import {
  countEndpoints,
  deleteEndpoint,
  type EndpointRow,
  insertEndpoint,
  listEndpoints,
  recentDeliveries,
  toEndpoint,
} from "./endpoint-store";
import { newWebhookSecret, sealSecret } from "./secret-box";

// The contract's body requires https; loopback http is allowed in local development, so the
// URL is validated here (net/address-policy.ts, the image fetcher's policy) instead, with the
// same param and a precise message.
const createRouteLocal = createRoute({
  ...createWebhookEndpointRoute,
  request: {
    ...createWebhookEndpointRoute.request,
    body: {
      required: true,
      content: {
        "application/json": { schema: CreateWebhookEndpointRequest.extend({ url: z.string().max(2048) }) },
      },
    },
  },
});

export const webhookRoutes = newRouter();

webhookRoutes
  .openapi(createRouteLocal, async (c) => {
    const body = c.req.valid("json");
    const { accountId } = c.get("principal");
    const config = edgeConfig(c.env);
    const check = checkOutboundUrl(body.url, { allowLoopback: config.webhooksAllowLoopback });
    if (!check.ok) throw new ApiError("invalid_request_error", `url: ${check.problem}`, { param: "url" });
    if ((await countEndpoints(c.env.DB, accountId)) >= LIMITS.maxWebhookEndpoints) {
      throw new ApiError(
        "invalid_request_error",
        `An account has at most ${LIMITS.maxWebhookEndpoints} webhook endpoints; delete one first.`,
      );
    }
    const id = newId(ID_PREFIXES.webhookEndpoint);
    const secret = newWebhookSecret(SECRET_PREFIXES.webhookSecret);
    const row: EndpointRow = {
      id,
      account_id: accountId,
      url: body.url,
      events: JSON.stringify(body.events),
      description: body.description ?? null,
      secret: await sealSecret(config.webhookSecretKeys, id, secret),
      created_at: unixSeconds(),
      disabled_at: null,
      disabled_reason: null,
    };
    await insertEndpoint(c.env.DB, row);
    withholdOnReplay(c, "secret");
    return c.json({ ...toEndpoint(row, []), secret }, 200);
  })
  .openapi(listWebhookEndpointsRoute, async (c) => {
    const query = c.req.valid("query");
    const rows = await listEndpoints(c.env.DB, c.get("principal").accountId, query);
    const deliveries = await recentDeliveries(
      c.env.DB,
      rows.slice(0, query.limit).map((r) => r.id),
    );
    return c.json(
      toPage(rows, query.limit, (row) => toEndpoint(row, deliveries.get(row.id) ?? [])),
      200,
    );
  })
  .openapi(deleteWebhookEndpointRoute, async (c) => {
    const id = c.req.valid("param").webhook_endpoint_id;
    if (!(await deleteEndpoint(c.env.DB, c.get("principal").accountId, id))) {
      throw notFound("webhook endpoint", "webhook_endpoint_id");
    }
    return c.json({ id, object: "webhook_endpoint.deleted" as const, deleted: true as const }, 200);
  });
