// One call to the runners: tries them in the given order, moving on when a runner cannot be
// reached or answers 503, and gives up with 503/504. The header timeout covers the wait for
// the response; the returned `abort` cancels the exchange later (client gone, idle stream).
import { runnerHeaders } from "@mmgpt/schema/internal";
import { retryAfterOf, runnerTimeout, unavailable } from "./errors";
import { markUnhealthy } from "./health";
import { acquire } from "./load";

export interface RunnerContext {
  fetch: typeof fetch;
  secret: string;
  requestId: string;
  timeoutMs: number;
  /** Longest silence of a streamed reply once it has begun (relay.ts). */
  stallMs: number;
  /** Idle time before an SSE reply gets a keep-alive comment (relay.ts). */
  keepAliveMs: number;
  /** The client's request signal: when it aborts, so does the runner call. */
  signal?: AbortSignal;
  /** The account's opaque tenant key (tenant-key.ts), on calls made for an account. */
  tenant?: string;
}

/** The context of a generation: runners keep its caches under the tenant key. */
export interface GenerationContext extends RunnerContext {
  tenant: string;
  /** Charges the generation's cost to its account (429 when over its token limit). */
  charge: (cost: number) => Promise<void>;
}

export interface RunnerRequest {
  method: "GET" | "POST" | "PUT" | "HEAD";
  path: string;
  body?: BodyInit;
  contentType?: string;
}

export interface RunnerAnswer {
  runner: string;
  response: Response;
  /** Oldest exchanges the edge kept back (forward-history.ts): added to the done event's count. */
  droppedByEdge?: number;
  abort: (reason?: unknown) => void;
  /** Ends this call's in-flight count on the runner; call when the body is consumed. */
  release: () => void;
}

class TimeoutSignal extends Error {}

/** One attempt on one runner. Throws TimeoutSignal on timeout, the fetch error otherwise. */
async function attempt(ctx: RunnerContext, runner: string, req: RunnerRequest): Promise<RunnerAnswer> {
  const controller = new AbortController();
  const onClientAbort = () => controller.abort(ctx.signal?.reason);
  if (ctx.signal?.aborted) throw ctx.signal.reason ?? new Error("client aborted");
  ctx.signal?.addEventListener("abort", onClientAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new TimeoutSignal());
  }, ctx.timeoutMs);
  const headers: Record<string, string> = runnerHeaders(ctx.secret, ctx.requestId, ctx.tenant);
  if (req.contentType) headers["content-type"] = req.contentType;
  const release = acquire(runner);
  try {
    const response = await ctx.fetch(runner + req.path, {
      method: req.method,
      headers,
      body: req.body,
      signal: controller.signal,
    });
    return { runner, response, abort: (reason) => controller.abort(reason), release };
  } catch (error) {
    release();
    if (timedOut) throw new TimeoutSignal();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends `req` to the first runner of `order` that answers with anything but 503. Connection
 * failures and 503s fail over; a timeout does not (the runner may still be generating).
 */
export async function callRunners(
  ctx: RunnerContext,
  order: readonly string[],
  req: RunnerRequest,
): Promise<RunnerAnswer> {
  if (order.length === 0) throw unavailable("No model runner is configured.");
  let lastUnavailable: Response | undefined;
  for (const runner of order) {
    let answer: RunnerAnswer;
    try {
      answer = await attempt(ctx, runner, req);
    } catch (error) {
      if (error instanceof TimeoutSignal) {
        markUnhealthy(runner); // no headers in time: likely frozen, route around it for a while
        throw runnerTimeout(ctx.timeoutMs);
      }
      if (ctx.signal?.aborted) throw error;
      continue; // unreachable: try the next runner
    }
    if (answer.response.status !== 503 || runner === order.at(-1)) return answer;
    lastUnavailable = answer.response;
    answer.release();
    await answer.response.body?.cancel();
  }
  throw unavailable(
    lastUnavailable ? "Every model runner is busy; retry later." : "No model runner is reachable; retry later.",
    lastUnavailable ? retryAfterOf(lastUnavailable) : undefined,
  );
}
