// The worker's bindings (root wrangler.toml) and the Hono environment every route shares:
// bindings, per-request variables set by middleware, and the injectable outbound fetches.
import type { ConversationDO } from "./conversations/conversation-do";
import type { RateLimiterDO } from "./rate-limit/rate-limiter-do";

export interface Bindings {
  DB: D1Database;
  BUCKET: R2Bucket;
  CONVERSATIONS: DurableObjectNamespace<ConversationDO>;
  RATE_LIMITER: DurableObjectNamespace<RateLimiterDO>;
  RUNNER_URLS: string;
  RUNNER_TIMEOUT_MS?: string;
  RATE_LIMIT_PER_MINUTE?: string;
  RATE_LIMIT_BURST?: string;
  MODELS?: string;
  RUNNER_SECRET: string;
  ADMIN_TOKEN: string;
}

/** The authenticated caller, set by requireApiKey. */
export interface Principal {
  accountId: string;
  keyId: string;
}

export interface Variables {
  requestId: string;
  principal: Principal;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}

/**
 * Outbound calls, injected so tests script the runner and image hosts without mocking globals.
 * `runnerFetch` talks to gpu-runners; `imageFetch` downloads user image URLs.
 */
export interface Deps {
  runnerFetch: typeof fetch;
  imageFetch: typeof fetch;
}
