// Worker entry (root wrangler.toml `main`): the Hono app as the fetch handler, the hourly cron
// that prunes expired Idempotency-Key records, and the Durable Object classes the bindings name.
import { createApp } from "./app";
import type { Bindings } from "./env";
import { pruneIdempotencyKeys } from "./http/idempotency";

export { ConversationDO } from "./conversations/conversation-do";
export { RateLimiterDO } from "./rate-limit/rate-limiter-do";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(pruneIdempotencyKeys(env.DB));
  },
} satisfies ExportedHandler<Bindings>;
