// The runner process: validate the environment, listen at once (health answers while the
// model loads), load the model, and on SIGTERM/SIGINT refuse new work, let in-flight
// generations finish (up to MMGPT_DRAIN_SECONDS) and exit.
import { serve } from "@hono/node-server";
import { type AppState, createApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { loadEngines } from "./load-model.js";
import { jsonLogger } from "./logger.js";

const log = jsonLogger();

async function main(): Promise<void> {
  let cfg: ReturnType<typeof loadConfig>;
  try {
    cfg = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const state: AppState = { engine: null, modelId: "", contextLength: 0, draining: false, inFlight: 0 };
  const app = createApp(state, { secret: cfg.secret, logger: log, logPrompts: cfg.logPrompts });
  const server = serve({ fetch: app.fetch, hostname: cfg.host, port: cfg.port });
  server.on("error", (e: NodeJS.ErrnoException) => {
    log.error(e.code === "EADDRINUSE" ? `port ${cfg.port} is already in use (set MMGPT_PORT)` : "server error", {
      error: String(e),
    });
    process.exit(1);
  });
  log.info("runner listening", { host: cfg.host, port: cfg.port, provider: cfg.provider, precision: cfg.precision });

  const shutdown = async (signal: string) => {
    if (state.draining) return;
    state.draining = true;
    state.engine?.drain();
    for (const e of state.adapters?.values() ?? []) e.drain();
    log.info("draining", { signal, in_flight: state.inFlight });
    const deadline = Date.now() + cfg.drainSeconds * 1000;
    while (state.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    server.close();
    log.info("stopped", { in_flight: state.inFlight });
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  try {
    const [[modelId, engine], ...adapters] = [...(await loadEngines(cfg, log))];
    state.modelId = modelId;
    state.contextLength = engine.opts.maxContext;
    state.adapters = new Map(adapters);
    state.engine = engine;
    log.info("model ready", { models: [modelId, ...state.adapters.keys()], context_length: state.contextLength });
  } catch (e) {
    log.error("model failed to load", { error: String((e as Error).message ?? e) });
    process.exit(1);
  }
}

void main();
