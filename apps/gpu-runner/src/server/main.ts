// The runner process: validate the environment, listen at once (health answers while the
// model loads), load the model on the engine thread, and on SIGTERM/SIGINT refuse new work, let in-flight
// generations finish (up to MMGPT_DRAIN_SECONDS) and exit.
import { serve } from "@hono/node-server";
import { ThreadEngineHost } from "../engine-host/service-thread.js";
import { type AppState, createApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
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
  const state: AppState = { host: null, draining: false, inFlight: 0 };
  let engines: ThreadEngineHost | null = null;
  const app = createApp(state, { secret: cfg.secret, logger: log, logPrompts: cfg.logPrompts });
  const server = serve({ fetch: app.fetch, hostname: cfg.host, port: cfg.port });
  server.on("error", (e: NodeJS.ErrnoException) => {
    log.error(e.code === "EADDRINUSE" ? `port ${cfg.port} is already in use (set MMGPT_PORT)` : "server error", {
      error: String(e),
    });
    process.exit(1);
  });
  // Resident memory before and after the model loads: what the process costs on its own, and
  // what the model adds (weights, sessions, the engine thread).
  const rssMB = () => Math.round(process.memoryUsage.rss() / 2 ** 20);
  log.info("runner listening", {
    host: cfg.host,
    port: cfg.port,
    provider: cfg.provider,
    precision: cfg.precision,
    rss_mb: rssMB(),
  });

  const shutdown = async (signal: string) => {
    if (state.draining) return;
    state.draining = true;
    state.host?.drain();
    log.info("draining", { signal, in_flight: state.inFlight });
    const deadline = Date.now() + cfg.drainSeconds * 1000;
    while (state.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    server.close();
    // Between two runs: a thread stopped inside a native ORT call would abort the process.
    await engines?.close();
    log.info("stopped", { in_flight: state.inFlight });
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  try {
    // The engines run on a thread of their own (see engine-host/service-thread.ts); it loads the model.
    engines = await ThreadEngineHost.start(cfg, (reason) => {
      log.error("engine failed; exiting", { reason });
      process.exit(1);
    });
    state.host = engines;
    log.info("model ready", { models: engines.models, context_length: engines.contextLength, rss_mb: rssMB() });
  } catch (e) {
    log.error("model failed to load", { error: String((e as Error).message ?? e) });
    process.exit(1);
  }
}

void main();
