// The edge's configuration (root wrangler.toml vars and secrets), validated once per isolate
// and bindings object: every bad value is reported by name with what was expected, and a
// misconfigured worker serves nothing (the runner's config.ts does the same at start).
import type { Bindings } from "./env";
import type { BucketConfig } from "./rate-limit/token-bucket";

export interface EdgeConfig {
  /** Runner base URLs, without trailing slashes. */
  runnerUrls: string[];
  runnerTimeoutMs: number;
  /** Longest silence of a runner's stream once generation has begun. */
  runnerStallMs: number;
  /** Idle time after which an SSE reply gets a keep-alive comment. */
  sseKeepAliveMs: number;
  /** A conversation's generation lock lapses this long after its holder last renewed it. */
  generationLeaseMs: number;
  /** An Idempotency-Key in progress is free again this long after its request stopped renewing. */
  idempotencyLeaseMs: number;
  runnerSecret: string;
  rateLimit: BucketConfig;
  /** Model tokens per account (generation-cost.ts). */
  tokenLimit: BucketConfig;
  /** Served model ids; empty: ask the runners. */
  models: string[];
  batchConcurrency: number;
  /** Lines of one account's batches on the batch queue at once (batches/dispatch-do.ts). */
  batchAccountLines: number;
  webhooksAllowLoopback: boolean;
  /** Bearer token of /v1/admin/*; null: the admin API is closed. */
  adminToken: string | null;
  /** Key material that encrypts stored webhook signing secrets, and retired keys that still open them. */
  webhookSecretKeys: { current: string; previous: string[] };
  /** Browser origins allowed to call the API (CORS): "*" for any, or exact origins; [] for none. */
  corsOrigins: "*" | string[];
  /** Key of the tenant keys runners see (an HMAC of the account id); never sent to a runner. */
  tenantKeySecret: string;
}

/** Every variable, its default and meaning (a test checks the README documents each one). */
export const VAR_DOCS: Record<string, { default: string; doc: string }> = {
  RUNNER_URLS: { default: "(required)", doc: "Comma-separated runner base URLs (http or https)" },
  RUNNER_TIMEOUT_MS: { default: "120000", doc: "Wait for a runner's headers, then for its first streamed event" },
  RUNNER_STALL_MS: { default: "30000", doc: "Longest silence of a streamed reply once started; then it fails" },
  SSE_KEEPALIVE_MS: { default: "15000", doc: "An SSE reply idle this long gets a `: keep-alive` comment" },
  GENERATION_LEASE_MS: { default: "30000", doc: "A conversation lock whose holder stopped renewing lapses after" },
  IDEMPOTENCY_LEASE_MS: { default: "30000", doc: "An Idempotency-Key whose request died is free again after" },
  RUNNER_SECRET: { default: "(required)", doc: "Secret: the runner's RUNNER_SECRET, at least 16 characters" },
  RATE_LIMIT_PER_MINUTE: { default: "600", doc: "Sustained requests per minute per API key" },
  RATE_LIMIT_BURST: { default: "60", doc: "Token bucket size per API key" },
  TOKEN_LIMIT_PER_MINUTE: {
    default: "300000",
    doc: "Sustained model tokens per minute per account: a generation costs its prompt (estimated) + max_tokens × choices or beams",
  },
  TOKEN_LIMIT_BURST: { default: "40000", doc: "Model tokens an account may spend at once (its token bucket's size)" },
  MODELS: { default: "", doc: "Served model ids, comma-separated (empty: ask the runners)" },
  BATCH_CONCURRENCY: { default: "4", doc: "Batch requests in flight per queue consumer invocation" },
  BATCH_ACCOUNT_LINES: {
    default: "16",
    doc: "Batch lines of one account on the queue or running at once; its other lines wait their turn (round-robin between its batches), so another account's batch is never queued behind more than this many of each account's lines",
  },
  WEBHOOKS_ALLOW_LOOPBACK: { default: "false", doc: "Accept http://127.0.0.1… webhook URLs (local development)" },
  CORS_ORIGINS: {
    default: "(empty: no browser origin)",
    doc: "Browser origins allowed to call the API: `*` or comma-separated origins (`https://app.example`)",
  },
  ADMIN_TOKEN: { default: "(none: admin API closed)", doc: "Secret: bearer token of /v1/admin/*, ≥ 16 characters" },
  WEBHOOK_SECRET_KEY: {
    default: "(required)",
    doc: "Secret: key that encrypts stored webhook signing secrets, ≥ 16 characters (not ADMIN_TOKEN)",
  },
  WEBHOOK_SECRET_KEY_PREVIOUS: {
    default: "(none)",
    doc: "Secret: comma-separated retired WEBHOOK_SECRET_KEYs that still open stored secrets",
  },
  TENANT_KEY_SECRET: {
    default: "(derived from WEBHOOK_SECRET_KEY)",
    doc: "Secret: keys the opaque tenant key each runner call carries (HMAC of the account id), ≥ 16 characters",
  },
};

/** Shortest secret accepted: the runner asks the same of RUNNER_SECRET; short ones are guessable. */
export const MIN_SECRET_LENGTH = 16;
const MODEL_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
/** An origin as browsers send it: scheme, host, optional port; no path, no trailing slash. */
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

export class EdgeConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid edge configuration:\n  ${problems.join("\n  ")}`);
    this.name = "EdgeConfigError";
  }

  /** The variable names only: values may be secrets, and the details are in the log. */
  get names(): string[] {
    return this.problems.map((p) => /^[A-Z_]+/.exec(p)?.[0] ?? p);
  }
}

type Vars = Partial<Record<keyof Bindings, unknown>>;

/** Validates every variable; throws one EdgeConfigError listing all the bad ones. */
export function loadEdgeConfig(env: Vars): EdgeConfig {
  const problems: string[] = [];
  // An empty string is "unset": `.dev.vars` and dashboards leave empty values behind.
  const raw = (name: keyof Bindings): string | undefined => {
    const value = env[name];
    return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
  };
  const bad = (name: string, value: string, expected: string) =>
    problems.push(`${name}=${JSON.stringify(value)}: expected ${expected}`);
  const number = (name: keyof Bindings, fallback: number, min: number, max: number) => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      bad(name, value, `an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const secret = (name: keyof Bindings): string | undefined => {
    const value = raw(name);
    // The value is a secret: name the problem, never echo it.
    if (value !== undefined && value.length < MIN_SECRET_LENGTH) {
      problems.push(`${name}: at least ${MIN_SECRET_LENGTH} characters (it has ${value.length})`);
    }
    return value;
  };
  const list = (name: keyof Bindings) =>
    (raw(name) ?? "")
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean);

  // In the order of VAR_DOCS, so problems are listed in that order too.
  const runnerUrls = list("RUNNER_URLS").map((url) => url.replace(/\/+$/, ""));
  if (runnerUrls.length === 0) problems.push("RUNNER_URLS: required, comma-separated http(s) base URLs");
  for (const url of runnerUrls) {
    if (!/^https?:\/\/[^/\s]+/.test(url)) bad("RUNNER_URLS", url, "an http(s) URL");
  }
  const runnerTimeoutMs = number("RUNNER_TIMEOUT_MS", 120_000, 1, 3_600_000);
  const runnerStallMs = number("RUNNER_STALL_MS", 30_000, 1, 3_600_000);
  const sseKeepAliveMs = number("SSE_KEEPALIVE_MS", 15_000, 1, 600_000);
  const generationLeaseMs = number("GENERATION_LEASE_MS", 30_000, 100, 3_600_000);
  const idempotencyLeaseMs = number("IDEMPOTENCY_LEASE_MS", 30_000, 100, 3_600_000);
  const runnerSecret = secret("RUNNER_SECRET");
  if (runnerSecret === undefined) problems.push("RUNNER_SECRET: required (the runner's RUNNER_SECRET)");
  const rateLimit = {
    perSecond: number("RATE_LIMIT_PER_MINUTE", 600, 1, 1_000_000_000) / 60,
    burst: number("RATE_LIMIT_BURST", 60, 1, 1_000_000_000),
  };
  const tokenLimit = {
    perSecond: number("TOKEN_LIMIT_PER_MINUTE", 300_000, 1, 1_000_000_000_000) / 60,
    burst: number("TOKEN_LIMIT_BURST", 40_000, 1, 1_000_000_000_000),
  };
  const models = list("MODELS");
  for (const id of models) if (!MODEL_ID.test(id)) bad("MODELS", id, "model ids of letters, digits and _.:-");
  const batchConcurrency = number("BATCH_CONCURRENCY", 4, 1, 64);
  const batchAccountLines = number("BATCH_ACCOUNT_LINES", 16, 1, 10_000);
  const loopback = raw("WEBHOOKS_ALLOW_LOOPBACK") ?? "false";
  if (loopback !== "true" && loopback !== "false") bad("WEBHOOKS_ALLOW_LOOPBACK", loopback, "true or false");
  const cors = list("CORS_ORIGINS");
  const corsOrigins = cors.length === 1 && cors[0] === "*" ? "*" : cors.map((origin) => origin.toLowerCase());
  for (const origin of corsOrigins === "*" ? [] : cors) {
    if (!ORIGIN.test(origin)) bad("CORS_ORIGINS", origin, "* alone, or origins like https://app.example[:port]");
  }
  const adminToken = secret("ADMIN_TOKEN") ?? null;
  // A key of its own: the admin token rotates on its own schedule, and must not be the key that
  // every stored signing secret depends on.
  const webhookSecretKey = secret("WEBHOOK_SECRET_KEY");
  if (webhookSecretKey === undefined) {
    problems.push("WEBHOOK_SECRET_KEY: required (it encrypts webhook signing secrets; not the admin token)");
  } else if (webhookSecretKey === adminToken) {
    problems.push("WEBHOOK_SECRET_KEY: must differ from ADMIN_TOKEN (each rotates on its own)");
  }
  const previousKeys = list("WEBHOOK_SECRET_KEY_PREVIOUS");
  if (previousKeys.some((k) => k.length < MIN_SECRET_LENGTH)) {
    problems.push(`WEBHOOK_SECRET_KEY_PREVIOUS: each key at least ${MIN_SECRET_LENGTH} characters`);
  }
  // Edge-only material: a runner (which holds RUNNER_SECRET) cannot map a tenant key back to
  // an account id by trying likely ids.
  const tenantKeySecret = secret("TENANT_KEY_SECRET") ?? webhookSecretKey;
  if (problems.length) throw new EdgeConfigError(problems);
  return {
    runnerUrls,
    runnerTimeoutMs,
    runnerStallMs,
    sseKeepAliveMs,
    generationLeaseMs,
    idempotencyLeaseMs,
    runnerSecret: runnerSecret ?? "",
    rateLimit,
    tokenLimit,
    models,
    batchConcurrency,
    batchAccountLines,
    webhooksAllowLoopback: loopback === "true",
    adminToken,
    webhookSecretKeys: { current: webhookSecretKey ?? "", previous: previousKeys },
    corsOrigins,
    tenantKeySecret: tenantKeySecret ?? "",
  };
}

// Bindings are one object per isolate in production (tests build one per fake deployment), so
// each is validated once and its problems logged once.
const loaded = new WeakMap<object, EdgeConfig | EdgeConfigError>();

/** The validated configuration of `env`; throws its EdgeConfigError on every call when bad. */
export function edgeConfig(env: Bindings): EdgeConfig {
  let entry = loaded.get(env);
  if (!entry) {
    try {
      entry = loadEdgeConfig(env);
    } catch (error) {
      if (!(error instanceof EdgeConfigError)) throw error;
      console.error(error.message);
      entry = error;
    }
    loaded.set(env, entry);
  }
  if (entry instanceof EdgeConfigError) throw entry;
  return entry;
}
