// Relays a runner's NDJSON generation as server-sent events, event by event, through a
// TransformStream: nothing is buffered, backpressure reaches the runner, and when the client
// goes away (a write fails or the request signal aborts) the runner call is aborted. A quiet
// reply gets `: keep-alive` comments (proxies and clients see bytes), and a runner that falls
// silent mid-reply (frozen: a hung GPU, SIGSTOP) fails the reply after the stall limit and is
// routed around for a while (health.ts).
import { errorEnvelope, SSE_DONE_EVENT, sseEvent } from "@mmgpt/schema";
import { type DeltaEvent, type DoneEvent, readGenerateEvents, type StartEvent } from "@mmgpt/schema/internal";
import { ApiError } from "../errors/api-error";
import type { RunnerAnswer, RunnerContext } from "./client";
import { badGateway, runnerStalled, runnerTimeout } from "./errors";
import { withEdgeDropped } from "./forward-history";
import { markHealthy, markUnhealthy } from "./health";

export interface RelayHooks {
  /** SSE payloads (objects) for a start or delta event. */
  onEvent(event: StartEvent | DeltaEvent): unknown[];
  /** Runs before the stream ends (e.g. commits a turn); returns the last payloads before [DONE]. */
  onDone(done: DoneEvent): Promise<unknown[]>;
  /**
   * The generation failed or the client left; `clientGone` tells which. Must not throw. May
   * return payloads to send before the error envelope (when the client is still there).
   */
  onFailure(error: ApiError, clientGone: boolean): Promise<unknown[]> | Promise<void>;
}

export interface RelayOptions {
  requestId: string;
  /** Longest wait for the runner's first event (queueing and prefill come before it). */
  idleTimeoutMs: number;
  /** Longest silence between two runner events after the first; default idleTimeoutMs. */
  stallTimeoutMs?: number;
  /** A `: keep-alive` comment is sent after this long without a write; unset: none. */
  keepAliveMs?: number;
  clientSignal?: AbortSignal;
  /**
   * The Responses stream's framing: each payload's `type` as the SSE `event:` name, and no
   * `data: [DONE]` at the end. Default: data-only events ending with [DONE] (chat, conversations).
   */
  namedEvents?: boolean;
}

/** The relay options of a runner call context (the configured limits). */
export function relayOptions(ctx: RunnerContext): RelayOptions {
  return {
    requestId: ctx.requestId,
    idleTimeoutMs: ctx.timeoutMs,
    stallTimeoutMs: ctx.stallMs,
    keepAliveMs: ctx.keepAliveMs,
    ...(ctx.signal ? { clientSignal: ctx.signal } : {}),
  };
}

/** An SSE comment: ignored by every client, but it keeps the connection visibly alive. */
export const SSE_KEEPALIVE = ": keep-alive\n\n";

/**
 * A client that reads nothing for this long is treated as gone. Its disconnect does not always
 * reach the worker (under `wrangler dev` a stopped reply left the stream merely unread), and a
 * relay waiting on it would hold the conversation's lock and the runner's batch row for good.
 */
export const WRITE_STALL_MS = 10_000;

class ClientStalled extends Error {
  constructor(ms: number) {
    super(`the client read nothing for ${ms} ms`);
  }
}

/** Returns the SSE body; `pumped` settles when the relay is over (give it to waitUntil). */
export function relayEvents(answer: RunnerAnswer, hooks: RelayHooks, options: RelayOptions) {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  // A write resolves only once the client has taken the chunk. When the client goes away the
  // body is not always cancelled (seen under `wrangler dev`: a stopped reply's stream was merely
  // left unread), so a write could wait forever, the relay never reach its failure hook, and the
  // conversation stay locked. Every wait on the client is bounded by its signal and a stall limit.
  const clientGone = new Promise<never>((_, reject) => {
    const signal = options.clientSignal;
    if (!signal) return;
    const fail = () => reject(signal.reason ?? new Error("client disconnected"));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
  clientGone.catch(() => {}); // observed by the races below
  const bounded = (wait: Promise<void>) => {
    wait.catch(() => {}); // a wait that lost the race may still fail later
    let stall: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<never>((_, reject) => {
      stall = setTimeout(() => reject(new ClientStalled(WRITE_STALL_MS)), WRITE_STALL_MS);
    });
    return Promise.race([wait, clientGone, stalled]).finally(() => clearTimeout(stall));
  };
  // Keep-alives: re-armed by every write, stopped when the relay ends. A keep-alive the client
  // does not take ends the relay like any other failed write (the runner call is aborted).
  let over = false;
  let lostByKeepAlive = false;
  let keepAlive: ReturnType<typeof setTimeout> | undefined;
  const armKeepAlive = () => {
    clearTimeout(keepAlive);
    if (over || !options.keepAliveMs) return;
    keepAlive = setTimeout(() => {
      send(encoder.encode(SSE_KEEPALIVE)).catch((error: unknown) => {
        lostByKeepAlive = true;
        answer.abort(error);
      });
    }, options.keepAliveMs);
  };
  const send = (bytes: Uint8Array) => {
    armKeepAlive();
    return bounded(writer.write(bytes));
  };
  const eventName = (payload: unknown) =>
    options.namedEvents ? ((payload as { type?: string }).type ?? "error") : undefined;
  const write = (payload: unknown) => send(encoder.encode(sseEvent(payload, eventName(payload))));

  // The runner's silence: up to idleTimeoutMs for the first event, then the stall limit.
  let started = false;
  let idle = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silenceLimit = () => (started ? (options.stallTimeoutMs ?? options.idleTimeoutMs) : options.idleTimeoutMs);
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      markUnhealthy(answer.runner);
      answer.abort(new Error("runner stream idle"));
    }, silenceLimit());
  };

  async function pump(): Promise<void> {
    let gone = false;
    try {
      arm();
      armKeepAlive();
      if (!answer.response.body) throw badGateway("The model runner sent an empty stream.");
      for await (const event of readGenerateEvents(answer.response.body)) {
        started = true;
        arm();
        if (event.type === "error") {
          throw event.error.code === "context_length_exceeded"
            ? new ApiError("context_length_exceeded", event.error.message, { param: "messages" })
            : badGateway(`The model runner failed during generation (${event.error.code}).`);
        }
        if (event.type === "done") {
          clearTimeout(timer);
          markHealthy(answer.runner);
          for (const payload of await hooks.onDone(withEdgeDropped(event, answer))) await write(payload);
          if (!options.namedEvents) await send(encoder.encode(SSE_DONE_EVENT));
          return;
        }
        for (const payload of hooks.onEvent(event)) {
          await write(payload).catch((error: unknown) => {
            gone = true;
            throw error;
          });
        }
      }
      throw badGateway("The model runner closed the stream before the reply completed.");
    } catch (error) {
      gone ||= options.clientSignal?.aborted === true || error instanceof ClientStalled || lostByKeepAlive;
      answer.abort(error);
      // Anything but our own ApiError here is the runner's stream breaking (reset, bad line).
      const apiError = idle
        ? started
          ? runnerStalled(silenceLimit())
          : runnerTimeout(options.idleTimeoutMs)
        : error instanceof ApiError
          ? error
          : badGateway("The model runner's stream broke off.");
      const last = await hooks.onFailure(apiError, gone);
      if (!gone) {
        for (const payload of last ?? []) await write(payload).catch(() => {});
        await write(errorEnvelope(apiError.code, apiError.message, options.requestId, apiError.param)).catch(() => {});
      }
    } finally {
      over = true;
      clearTimeout(timer);
      clearTimeout(keepAlive);
      answer.release();
      // Closing waits for the client too; a departed one gets the stream aborted instead (not
      // awaited: an abort waits for the write still pending, which may never complete).
      await bounded(writer.close()).catch(() => {
        writer.abort().catch(() => {});
      });
    }
  }

  return { body: readable, pumped: pump() };
}
