// Builds the runner call context of one request: injected fetch, shared secret, request id,
// timeout and the caller's abort signal (and, for generations, the account's tenant key), plus
// the runner orders (affinity or least loaded).
// The `…For(env)` forms serve callers without a Hono context (the batch queue consumer).
import type { Context } from "hono";
import { edgeConfig } from "../config";
import type { AppEnv, Bindings, Deps } from "../env";
import { chargeTokens, tokenHeaders } from "../rate-limit/rate-limit";
import type { TakeResult } from "../rate-limit/token-bucket";
import type { GenerationContext, RunnerContext } from "./client";
import { healthyFirst } from "./health";
import { leastLoadedOrder } from "./load";
import { rendezvousOrder } from "./rendezvous";
import { tenantKey } from "./tenant-key";

export function runnerContextFor(env: Bindings, deps: Deps, requestId: string, signal?: AbortSignal): RunnerContext {
  const config = edgeConfig(env);
  return {
    fetch: deps.runnerFetch,
    secret: config.runnerSecret,
    requestId,
    timeoutMs: config.runnerTimeoutMs,
    stallMs: config.runnerStallMs,
    keepAliveMs: config.sseKeepAliveMs,
    ...(signal ? { signal } : {}),
  };
}

export function runnerContext(c: Context<AppEnv>, deps: Deps): RunnerContext {
  return runnerContextFor(c.env, deps, c.get("requestId"), c.req.raw.signal);
}

/**
 * A generation's context for `accountId`: every call carries the account's tenant key, and is
 * charged to its token bucket (`report` sees the bucket after each charge).
 */
export async function generationContextFor(
  env: Bindings,
  deps: Deps,
  requestId: string,
  accountId: string,
  signal?: AbortSignal,
  report?: (result: TakeResult) => void,
): Promise<GenerationContext> {
  const tenant = await tenantKey(edgeConfig(env).tenantKeySecret, accountId);
  const charge = (cost: number) => chargeTokens(env, accountId, cost, report);
  return { ...runnerContextFor(env, deps, requestId, signal), tenant, charge };
}

/** A route's generation context: the charge sets OpenAI's token headers, on a 429 as well. */
export function generationContext(c: Context<AppEnv>, deps: Deps): Promise<GenerationContext> {
  const report = (result: TakeResult) => {
    for (const [name, value] of Object.entries(tokenHeaders(result))) c.header(name, value);
  };
  return generationContextFor(c.env, deps, c.get("requestId"), c.get("principal").accountId, c.req.raw.signal, report);
}

/**
 * A conversation sticks to its rendezvous winner (KV cache reuse); the rest is failover. Runners
 * seen frozen go last (health.ts), in both orders.
 */
export function conversationOrder(c: Context<AppEnv>, conversationId: string): string[] {
  return healthyFirst(rendezvousOrder(edgeConfig(c.env).runnerUrls, conversationId));
}

/** Stateless requests go to the least loaded runner first. */
export function statelessOrderFor(env: Bindings): string[] {
  return healthyFirst(leastLoadedOrder(edgeConfig(env).runnerUrls));
}

export function statelessOrder(c: Context<AppEnv>): string[] {
  return statelessOrderFor(c.env);
}
