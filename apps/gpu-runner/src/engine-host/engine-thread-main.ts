// The engine thread's entry (started by service-thread.ts): loads the engines (generating and
// building the model as needed) and serves them as a LocalEngineHost over the thread's port.
// Decode steps follow each other here without waiting on the service thread's HTTP work.
import { parentPort, workerData } from "node:worker_threads";
import { loadEngines } from "../server/load-model.js";
import { jsonLogger } from "../server/logger.js";
import { serveHost } from "./engine-thread.js";
import { LocalEngineHost } from "./local-host.js";
import type { EngineThreadData, FromEngine } from "./thread-messages.js";

const port = parentPort!;
const { config } = workerData as EngineThreadData;
const send = (m: FromEngine) => port.postMessage(m);

const engines = await loadEngines(config, jsonLogger()).catch((e: unknown) => {
  send({ t: "load-failed", message: String((e as Error)?.message ?? e) });
  return null;
});

if (engines) {
  const host = new LocalEngineHost(engines);
  serveHost(host, port);
  send({ t: "ready", models: [...host.models], contextLength: host.contextLength });
}
