// Gets a model directory ready to serve: generates the tiny preset when the directory is
// empty (the default `npm start`), validates config.json, builds the graphs for the chosen
// precision if they are missing, and opens the sessions. Progress goes to the logger.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { verifyManifest, writeManifest } from "../convert/manifest.js";
import { Engine, type EngineOptions } from "../engine/engine.js";
import { type BuildOptions, buildModelGraphs, graphPath } from "../model/build.js";
import { loadModelConfig } from "../model/load-config.js";
import { PRESETS } from "../model/presets.js";
import { ModelRuntime } from "../model/runtime.js";
import { loadTokenizer } from "../tokenizer/index.js";
import { generateTinyWeights } from "../weights/generate-tiny.js";
import type { RunnerConfig } from "./config.js";
import type { Logger } from "./logger.js";

/** The serving build: fused contrib ops, the configured precision and KV cache element type. */
export function servingBuild(cfg: Pick<RunnerConfig, "precision" | "kvDtype">): BuildOptions {
  return { precision: cfg.precision, fused: true, kvDtype: cfg.kvDtype };
}

/**
 * One engine per served model: the base (its own `lora/` merged) and, for each configured
 * adapter, the same base with that adapter merged instead. Each keeps its own graphs and caches.
 */
export async function loadEngines(cfg: RunnerConfig, log: Logger): Promise<Map<string, Engine>> {
  const engines = new Map<string, Engine>();
  const base = await loadEngine(cfg, log);
  engines.set(base.rt.config.name, base);
  for (const adapter of cfg.adapters) {
    if (engines.has(adapter.id)) throw new Error(`MMGPT_ADAPTERS: model id ${adapter.id} is used twice`);
    engines.set(adapter.id, await loadEngine(cfg, log, {}, adapter));
    log.info("adapter ready", { model: adapter.id, dir: adapter.dir });
  }
  return engines;
}

export async function loadEngine(
  cfg: RunnerConfig,
  log: Logger,
  overrides: Partial<EngineOptions> = {},
  adapter?: { id: string; dir: string },
): Promise<Engine> {
  const dir = cfg.modelDir;
  if (!existsSync(join(dir, "config.json"))) {
    if (cfg.model !== "mmgpt-tiny") {
      throw new Error(
        `${dir} holds no model (config.json missing): convert a checkpoint into it with \`mmgpt convert\``,
      );
    }
    log.info("generating the tiny model", { dir, seed: 1 });
    const g = generateTinyWeights(PRESETS["mmgpt-tiny"], dir, { seed: 1 });
    writeManifest(dir);
    log.info("generated the tiny model", { params: g.baseParams, lora_params: g.loraParams });
  }
  // Checksums catch a truncated copy or a half-finished conversion before anything loads.
  if (existsSync(join(dir, "manifest.json"))) {
    const t0 = performance.now();
    verifyManifest(dir);
    log.info("verified the model manifest", { ms: Math.round(performance.now() - t0) });
  } else {
    log.warn("no manifest.json in the model directory: weights not verified", { dir });
  }
  const config = loadModelConfig(dir);
  const build: BuildOptions = adapter ? { ...servingBuild(cfg), adapter } : servingBuild(cfg);
  if (adapter) {
    if (!existsSync(join(adapter.dir, "manifest.json")))
      throw new Error(`adapter ${adapter.id}: no manifest.json in ${adapter.dir}`);
    verifyManifest(adapter.dir);
  }
  if (!existsSync(graphPath(dir, build, "decoder"))) {
    log.info("building ONNX graphs", { dir, ...build });
    const report = buildModelGraphs(config, dir, build, (m) => log.info(m));
    log.info("built ONNX graphs", { ms: Math.round(report.ms), lora_merged: report.loraMerged });
  }
  const rt = await ModelRuntime.load(config, dir, build, { provider: cfg.provider, threads: cfg.threads });
  const tokenizer = await loadTokenizer(dir);
  const maxContext = Math.min(cfg.maxContext ?? config.language.maxPositions, config.language.maxPositions);
  return new Engine(rt, tokenizer, {
    maxBatch: cfg.maxBatch,
    slots: cfg.slots,
    maxQueue: cfg.maxQueue,
    tenantRows: cfg.tenantRows,
    tenantQueue: cfg.tenantQueue,
    maxContext,
    imageFeatureBytes: cfg.imageFeatureMB * 2 ** 20,
    imagePixelBytes: cfg.imagePixelMB * 2 ** 20,
    prefixCache: cfg.prefixCache,
    ...overrides,
  });
}
