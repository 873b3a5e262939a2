// GET /healthz: liveness of the edge, unauthenticated.
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, NO_SECURITY, REQUEST_ID_RESPONSE_HEADERS } from "../common";

export const Health = z
  .object({
    status: z.enum(["ok", "degraded"]).openapi({ description: "`degraded`: the edge is up but no runner is ready." }),
    version: z.string().openapi({ example: "0.1.0" }),
  })
  .openapi("Health");
export type Health = z.infer<typeof Health>;

export const healthRoute = createRoute({
  method: "get",
  path: "/healthz",
  operationId: "getHealth",
  tags: ["Health"],
  summary: "Health check",
  description: "Answers without authentication; for load balancers and uptime checks.",
  security: NO_SECURITY,
  responses: {
    200: jsonResponse(Health, "The edge is serving.", { status: "ok", version: "0.1.0" }, REQUEST_ID_RESPONSE_HEADERS),
    ...errorResponses(413, 500, 503),
  },
});
