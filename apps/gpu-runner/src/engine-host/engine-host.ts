// What the HTTP service needs from the engines (both threads use this interface). Two hosts
// serve it: LocalEngineHost (local-host.ts) on the thread that holds the engines, and
// ThreadEngineHost (service-thread.ts) on the service thread of the runner process, which
// forwards every call to a LocalEngineHost on the engine thread (engine-thread.ts), so socket
// writes and request parsing never sit between two decode steps.
import type { GenerateRequest } from "@mmgpt/schema/internal";
import type { EngineEvent } from "../engine/job.js";

export interface HostedJob {
  /** The job's events; leaving the iteration early cancels the job. */
  events(): AsyncGenerator<EngineEvent>;
  cancel(): void;
  readonly cancelled: boolean;
}

export interface EngineHost {
  /** The base model first, then the adapters (MMGPT_ADAPTERS). */
  readonly models: readonly string[];
  readonly contextLength: number;
  /** Rejects with EngineError before anything is queued (image_missing, context, overload…). */
  submit(model: string, req: GenerateRequest): Promise<HostedJob>;
  /** Whether `tenant` has the image here (tenants never see each other's images). */
  hasImage(tenant: string, sha256: string): Promise<boolean>;
  /** Gives a tenant's preprocessed pixels to every served model (their media K/V differ). */
  putImage(tenant: string, sha256: string, pixels: Uint8Array): Promise<void>;
  /** Prometheus text of the base engine, with `extra` gauges added. */
  metrics(extra: Record<string, number>): Promise<string>;
  /** Refuses new work from now on; in-flight jobs finish. */
  drain(): void;
}
