// Relays a runner's NDJSON generation as server-sent events, event by event, through a
// TransformStream: nothing is buffered, backpressure reaches the runner, and when the client
// goes away (a write fails or the request signal aborts) the runner call is aborted.
import { errorEnvelope, SSE_DONE_EVENT, sseEvent } from "@mmgpt/schema";
import { type DeltaEvent, type DoneEvent, readGenerateEvents, type StartEvent } from "@mmgpt/schema/internal";
import { ApiError } from "../errors/api-error";
import type { RunnerAnswer } from "./client";
import { badGateway, runnerTimeout } from "./errors";

export interface RelayHooks {
  /** SSE payloads (objects) for a start or delta event. */
  onEvent(event: StartEvent | DeltaEvent): unknown[];
  /** Runs before the stream ends (e.g. commits a turn); returns the last payloads before [DONE]. */
  onDone(done: DoneEvent): Promise<unknown[]>;
  /** The generation failed or the client left; `clientGone` tells which. Must not throw. */
  onFailure(error: ApiError, clientGone: boolean): Promise<void>;
}

export interface RelayOptions {
  requestId: string;
  /** Longest silence between two runner events. */
  idleTimeoutMs: number;
  clientSignal?: AbortSignal;
}

/** Returns the SSE body; `pumped` settles when the relay is over (give it to waitUntil). */
export function relayEvents(answer: RunnerAnswer, hooks: RelayHooks, options: RelayOptions) {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  const write = (payload: unknown) => writer.write(encoder.encode(sseEvent(payload)));

  let idle = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      answer.abort(new Error("runner stream idle"));
    }, options.idleTimeoutMs);
  };

  async function pump(): Promise<void> {
    let clientGone = false;
    try {
      arm();
      if (!answer.response.body) throw badGateway("The model runner sent an empty stream.");
      for await (const event of readGenerateEvents(answer.response.body)) {
        arm();
        if (event.type === "error") {
          throw event.error.code === "context_length_exceeded"
            ? new ApiError("context_length_exceeded", event.error.message, { param: "messages" })
            : badGateway(`The model runner failed during generation (${event.error.code}).`);
        }
        if (event.type === "done") {
          clearTimeout(timer);
          for (const payload of await hooks.onDone(event)) await write(payload);
          await writer.write(encoder.encode(SSE_DONE_EVENT));
          return;
        }
        for (const payload of hooks.onEvent(event)) {
          await write(payload).catch((error: unknown) => {
            clientGone = true;
            throw error;
          });
        }
      }
      throw badGateway("The model runner closed the stream before the reply completed.");
    } catch (error) {
      clientGone ||= options.clientSignal?.aborted === true;
      answer.abort(error);
      // Anything but our own ApiError here is the runner's stream breaking (reset, bad line).
      const apiError = idle
        ? runnerTimeout(options.idleTimeoutMs)
        : error instanceof ApiError
          ? error
          : badGateway("The model runner's stream broke off.");
      await hooks.onFailure(apiError, clientGone);
      if (!clientGone) {
        await write(errorEnvelope(apiError.code, apiError.message, options.requestId, apiError.param)).catch(() => {});
      }
    } finally {
      clearTimeout(timer);
      answer.release();
      await writer.close().catch(() => {});
    }
  }

  return { body: readable, pumped: pump() };
}
