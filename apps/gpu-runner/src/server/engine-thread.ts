// The engine thread's entry: loads the engines (generating and building the model as needed)
// and serves ThreadEngineHost's messages. Decode steps follow each other here without waiting
// on the service thread's HTTP work; events leave as messages, which cost this thread little.
import { parentPort, workerData } from "node:worker_threads";
import type { Engine } from "../engine/engine.js";
import type { Job } from "../engine/job.js";
import { engineFor, renderMetrics } from "./engine-host.js";
import type { EngineThreadData, FromEngine, ToEngine } from "./engine-thread-messages.js";
import { toWire } from "./engine-thread-messages.js";
import { loadEngines } from "./load-model.js";
import { jsonLogger } from "./logger.js";

const port = parentPort!;
const { config } = workerData as EngineThreadData;
const send = (m: FromEngine) => port.postMessage(m);
const log = jsonLogger();

const engines = await loadEngines(config, log).catch((e: unknown) => {
  send({ t: "load-failed", message: String((e as Error)?.message ?? e) });
  return null;
});

if (engines) {
  const base = [...engines.values()][0];
  const jobs = new Map<number, { engine: Engine; job: Job }>();

  const stream = async (id: number) => {
    const entry = jobs.get(id)!;
    try {
      for await (const event of entry.engine.events(entry.job)) send({ t: "event", job: id, event });
    } catch (e) {
      send({ t: "fail", job: id, error: toWire(e) });
    } finally {
      jobs.delete(id);
    }
  };

  const reply = (call: number, run: () => unknown) => {
    try {
      send({ t: "reply", call, value: run() });
    } catch (e) {
      send({ t: "reply", call, error: toWire(e) });
    }
  };

  port.on("message", (m: ToEngine) => {
    switch (m.t) {
      case "submit":
        reply(m.call, () => {
          const engine = engineFor(engines, m.model);
          jobs.set(m.job, { engine, job: engine.submit(m.req) });
        });
        if (jobs.has(m.job)) void stream(m.job);
        return;
      case "cancel": {
        const entry = jobs.get(m.job);
        if (entry) entry.engine.cancel(entry.job);
        return;
      }
      case "has-image":
        return reply(m.call, () => base.images.has(m.sha256));
      case "put-image":
        return reply(m.call, () => {
          for (const e of engines.values()) e.images.put(m.sha256, m.pixels);
        });
      case "metrics":
        return reply(m.call, () => renderMetrics(base, m.extra));
      case "drain":
        for (const e of engines.values()) e.drain();
        return;
      case "exit":
        process.exit(0); // ends this thread only
    }
  });
  send({ t: "ready", models: [...engines.keys()], contextLength: base.opts.maxContext });
}
