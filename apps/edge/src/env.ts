// The worker's bindings (root wrangler.toml) and the Hono environment every route shares:
// bindings, per-request variables set by middleware, and the injectable outbound fetches.
import type { BatchDO } from "./batches/batch-do";
import type { BatchDispatchDO } from "./batches/dispatch-do";
import type { BatchMessage } from "./batches/messages";
import type { ConversationDO } from "./conversations/conversation-do";
import type { RateLimiterDO } from "./rate-limit/rate-limiter-do";
import type { TakeResult } from "./rate-limit/token-bucket";
import type { WebhookMessage } from "./webhooks/messages";

export interface Bindings {
  DB: D1Database;
  BUCKET: R2Bucket;
  CONVERSATIONS: DurableObjectNamespace<ConversationDO>;
  RATE_LIMITER: DurableObjectNamespace<RateLimiterDO>;
  BATCHES: DurableObjectNamespace<BatchDO>;
  BATCH_DISPATCH: DurableObjectNamespace<BatchDispatchDO>;
  BATCH_QUEUE: Queue<BatchMessage>;
  WEBHOOK_QUEUE: Queue<WebhookMessage>;
  RUNNER_URLS: string;
  RUNNER_TIMEOUT_MS?: string;
  RUNNER_STALL_MS?: string;
  SSE_KEEPALIVE_MS?: string;
  GENERATION_LEASE_MS?: string;
  IDEMPOTENCY_LEASE_MS?: string;
  RATE_LIMIT_PER_MINUTE?: string;
  RATE_LIMIT_BURST?: string;
  TOKEN_LIMIT_PER_MINUTE?: string;
  TOKEN_LIMIT_BURST?: string;
  MODELS?: string;
  BATCH_CONCURRENCY?: string;
  BATCH_ACCOUNT_LINES?: string;
  WEBHOOKS_ALLOW_LOOPBACK?: string;
  CORS_ORIGINS?: string;
  RUNNER_SECRET: string;
  ADMIN_TOKEN: string;
  WEBHOOK_SECRET_KEY: string;
  WEBHOOK_SECRET_KEY_PREVIOUS?: string;
  TENANT_KEY_SECRET?: string;
}

/** The authenticated caller, set by requireApiKey. */
export interface Principal {
  accountId: string;
  keyId: string;
}

export interface Variables {
  requestId: string;
  principal: Principal;
  /** The rate-limit token requireApiKey took alongside the key lookup, when it could. */
  rateLimitTake?: Promise<TakeResult>;
  /** Fields of the answer that hold a secret shown once; an Idempotency-Key replay has them null. */
  withheldFields?: string[];
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}

/**
 * Outbound calls, injected so tests script the runner and image hosts without mocking globals.
 * `runnerFetch` talks to gpu-runners; `imageFetch` downloads user image URLs; `webhookFetch`
 * delivers webhook events.
 */
export interface Deps {
  runnerFetch: typeof fetch;
  imageFetch: typeof fetch;
  webhookFetch: typeof fetch;
  /** Waits until an epoch-ms time (webhooks/deliver.ts); a timer unless a test injects one. */
  sleepUntil?: (atMs: number) => Promise<void>;
}
