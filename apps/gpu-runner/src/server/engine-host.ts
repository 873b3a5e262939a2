// What the HTTP service needs from the engines, whether they run on the service's own thread
// (LocalEngineHost: tests, tools) or on a thread of their own (ThreadEngineHost: the runner
// process, so socket writes and request parsing never sit between two decode steps; inside
// that thread, a LocalEngineHost serves its messages).
import type { GenerateRequest } from "@mmgpt/schema/internal";
import type { Engine } from "../engine/engine.js";
import { EngineError } from "../engine/errors.js";
import type { EngineEvent, Job } from "../engine/job.js";

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
  hasImage(sha256: string): Promise<boolean>;
  /** Gives preprocessed pixels to every served model (their media K/V differ). */
  putImage(sha256: string, pixels: Uint8Array): Promise<void>;
  /** Prometheus text of the base engine, with `extra` gauges added. */
  metrics(extra: Record<string, number>): Promise<string>;
  /** Refuses new work from now on; in-flight jobs finish. */
  drain(): void;
}

/** The metrics of one engine: its counters plus cache gauges and the caller's extras. */
function renderMetrics(e: Engine, extra: Record<string, number>): string {
  return e.stats.render({
    ...extra,
    mmgpt_image_feature_cache_hits_total: e.images.featureCache.hits,
    mmgpt_image_feature_cache_misses_total: e.images.featureCache.misses,
    mmgpt_image_feature_cache_bytes: e.images.featureCache.bytes,
    mmgpt_image_pixel_cache_bytes: e.images.pixels.bytes,
    mmgpt_prefix_cache_hit_ratio: e.stats.reusedTokens / Math.max(1, e.stats.reusedTokens + e.stats.prefillTokens),
  });
}

/** The engine serving `model`, or model_not_found naming what is served. */
function engineFor(engines: ReadonlyMap<string, Engine>, model: string): Engine {
  const engine = engines.get(model);
  if (!engine)
    throw new EngineError(
      "model_not_found",
      `no model ${model} on this runner (serving ${[...engines.keys()].join(", ")})`,
    );
  return engine;
}

/** Engines on the caller's thread. The first entry of `engines` is the base model. */
export class LocalEngineHost implements EngineHost {
  readonly models: readonly string[];
  readonly contextLength: number;

  constructor(readonly engines: ReadonlyMap<string, Engine>) {
    this.models = [...engines.keys()];
    const base = engines.values().next().value;
    if (!base) throw new Error("LocalEngineHost: no engine");
    this.contextLength = base.opts.maxContext;
  }

  private get base(): Engine {
    return this.engines.get(this.models[0])!;
  }

  /**
   * Submits to the engine serving `model` and hands back the engine and its job, for a caller
   * that forwards the events itself (the engine thread). Throws what Engine.submit throws.
   */
  enqueue(model: string, req: GenerateRequest): { engine: Engine; job: Job } {
    const engine = engineFor(this.engines, model);
    return { engine, job: engine.submit(req) };
  }

  async submit(model: string, req: GenerateRequest): Promise<HostedJob> {
    const { engine, job } = this.enqueue(model, req);
    return {
      events: () => engine.events(job),
      cancel: () => engine.cancel(job),
      get cancelled() {
        return job.cancelled;
      },
    };
  }

  async hasImage(sha256: string): Promise<boolean> {
    return this.base.images.has(sha256);
  }

  async putImage(sha256: string, pixels: Uint8Array): Promise<void> {
    for (const e of this.engines.values()) e.images.put(sha256, pixels);
  }

  async metrics(extra: Record<string, number>): Promise<string> {
    return renderMetrics(this.base, extra);
  }

  drain(): void {
    for (const e of this.engines.values()) e.drain();
  }
}
