// The messages between the service thread (ThreadEngineHost, service-thread.ts) and the engine
// thread (serveHost, engine-thread.ts); both sides import them. Calls carry a number answered by
// one `reply`; a job's events follow its submit's reply, in order, and end with its `done` event
// or an error.
import type { GenerateRequest } from "@mmgpt/schema/internal";
import { EngineError } from "../engine/errors.js";
import type { EngineEvent } from "../engine/job.js";
import type { RunnerConfig } from "../server/config.js";

export interface EngineThreadData {
  config: RunnerConfig;
}

export type ToEngine =
  | { t: "submit"; call: number; job: number; model: string; req: GenerateRequest }
  | { t: "cancel"; job: number }
  | { t: "has-image"; call: number; tenant: string; sha256: string }
  | { t: "put-image"; call: number; tenant: string; sha256: string; pixels: Uint8Array }
  | { t: "metrics"; call: number; extra: Record<string, number> }
  | { t: "drain" }
  /** Ends the thread. Handled between two runs, never during one: stopping a thread inside
   * a native ORT call aborts the process. */
  | { t: "exit" };

export interface WireError {
  code: EngineError["code"];
  message: string;
  details: Record<string, unknown>;
}

/** One job's next event, or its failure (which ends it). */
export type JobNews = { job: number; event: EngineEvent } | { job: number; error: WireError };

export type FromEngine =
  | { t: "ready"; models: string[]; contextLength: number }
  | { t: "load-failed"; message: string }
  | { t: "reply"; call: number; value?: unknown; error?: WireError }
  /** Everything the jobs produced in one turn of the engine thread (a decode step: one
   * event per row), in one message rather than one per event. */
  | { t: "news"; items: JobNews[] };

export function toWire(e: unknown): WireError {
  return e instanceof EngineError
    ? { code: e.code, message: e.message, details: e.details }
    : { code: "internal", message: String((e as Error)?.message ?? e), details: {} };
}

export function fromWire(e: WireError): EngineError {
  return new EngineError(e.code, e.message, e.details);
}
