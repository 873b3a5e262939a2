// The edge application: request ids first, CORS (preflights answered before anything else),
// then the configuration check (a misconfigured worker serves nothing), public endpoints, the admin API behind the admin token, and the
// API-key routes behind auth + rate limit. One onError renders all failures; unknown routes
// are a 404 in the same envelope.
import { OpenAPIHono } from "@hono/zod-openapi";
import { adminRoutes } from "./auth/admin-routes";
import { requireAdmin } from "./auth/require-admin";
import { requireApiKey } from "./auth/require-api-key";
import { batchRoutes } from "./batches/routes";
import { chatRoutes } from "./chat/routes";
import { edgeConfig } from "./config";
import { conversationRoutes } from "./conversations/routes";
import type { AppEnv, Deps } from "./env";
import { ApiError } from "./errors/api-error";
import { renderError } from "./errors/render";
import { fileRoutes, uploadGuard } from "./files/routes";
import { bodyLimit } from "./http/body-limit";
import { cors } from "./http/cors";
import { idempotency } from "./http/idempotency";
import { requestId } from "./http/request-id";
import { modelRoutes, publicMetaRoutes } from "./meta/routes";
import { rateLimit } from "./rate-limit/rate-limit";
import { responseRoutes } from "./responses/routes";
import { webhookRoutes } from "./webhooks/routes";

export const defaultDeps: Deps = {
  runnerFetch: (input, init) => fetch(input, init),
  imageFetch: (input, init) => fetch(input, init),
  webhookFetch: (input, init) => fetch(input, init),
};

export function createApp(deps: Deps = defaultDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use(
    "*",
    requestId(),
    cors(),
    async function configMiddleware(c, next) {
      edgeConfig(c.env); // throws EdgeConfigError, rendered as a 500 naming the variables
      await next();
    },
    bodyLimit(), // every route: 413 past its limit, whoever reads the body
  );
  app.route("/", publicMetaRoutes);

  app.use("/v1/admin/*", requireAdmin(), idempotency());
  app.route("/", adminRoutes);

  // Hono's "/x/*" also matches "/x": one pattern per resource, so no request is counted twice.
  // Order: who (key), how often (bucket), body guards, then idempotency (which reads the body).
  for (const path of [
    "/v1/models/*",
    "/v1/chat/*",
    "/v1/responses/*",
    "/v1/conversations/*",
    "/v1/webhook_endpoints/*",
  ]) {
    app.use(path, requireApiKey(), rateLimit(), idempotency());
  }
  app.use("/v1/files/*", requireApiKey(), rateLimit(), uploadGuard(), idempotency());
  app.use("/v1/batches/*", requireApiKey(), rateLimit(), idempotency());
  app.route("/", modelRoutes(deps));
  app.route("/", chatRoutes(deps));
  app.route("/", responseRoutes(deps));
  app.route("/", conversationRoutes(deps));
  app.route("/", fileRoutes);
  app.route("/", batchRoutes);
  app.route("/", webhookRoutes);

  app.notFound((c) => {
    throw new ApiError("not_found", `No route ${c.req.method} ${c.req.path}.`);
  });
  app.onError(renderError);
  return app;
}
