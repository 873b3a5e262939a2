// The engines on the thread that calls them: the engine thread of the runner process (which
// serves this host to the service thread, engine-thread.ts), and tests and tools in one thread.
import type { GenerateRequest } from "@mmgpt/schema/internal";
import type { Engine } from "../engine/engine.js";
import { EngineError } from "../engine/errors.js";
import type { EngineHost, HostedJob } from "./engine-host.js";

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

  async submit(model: string, req: GenerateRequest): Promise<HostedJob> {
    const engine = engineFor(this.engines, model);
    const job = await engine.start(req);
    return {
      events: () => engine.events(job),
      cancel: () => engine.cancel(job),
      get cancelled() {
        return job.cancelled;
      },
    };
  }

  async hasImage(tenant: string, sha256: string): Promise<boolean> {
    return this.base.images.has(tenant, sha256);
  }

  async putImage(tenant: string, sha256: string, pixels: Uint8Array): Promise<void> {
    for (const e of this.engines.values()) e.images.put(tenant, sha256, pixels);
  }

  async metrics(extra: Record<string, number>): Promise<string> {
    return renderMetrics(this.base, extra);
  }

  drain(): void {
    for (const e of this.engines.values()) e.drain();
  }
}
