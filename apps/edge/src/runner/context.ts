// Builds the runner call context of one request: injected fetch, shared secret, request id,
// timeout and the client's abort signal, plus the runner orders (affinity or least loaded).
import type { Context } from "hono";
import type { AppEnv, Deps } from "../env";
import type { RunnerContext } from "./client";
import { runnerTimeoutMs, runnerUrls } from "./config";
import { unavailable } from "./errors";
import { leastLoadedOrder } from "./load";
import { rendezvousOrder } from "./rendezvous";

export function runnerContext(c: Context<AppEnv>, deps: Deps): RunnerContext {
  if (!c.env.RUNNER_SECRET) throw unavailable("The edge has no RUNNER_SECRET configured.");
  return {
    fetch: deps.runnerFetch,
    secret: c.env.RUNNER_SECRET,
    requestId: c.get("requestId"),
    timeoutMs: runnerTimeoutMs(c.env),
    signal: c.req.raw.signal,
  };
}

/** A conversation sticks to its rendezvous winner (KV cache reuse); the rest is failover. */
export function conversationOrder(c: Context<AppEnv>, conversationId: string): string[] {
  return rendezvousOrder(runnerUrls(c.env), conversationId);
}

/** Stateless requests go to the least loaded runner first. */
export function statelessOrder(c: Context<AppEnv>): string[] {
  return leastLoadedOrder(runnerUrls(c.env));
}
