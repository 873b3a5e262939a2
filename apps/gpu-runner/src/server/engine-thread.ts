// The engine thread's entry: loads the engines (generating and building the model as needed)
// and serves ThreadEngineHost's messages. Decode steps follow each other here without waiting
// on the service thread's HTTP work; events leave as messages, which cost this thread little.
import { parentPort, workerData } from "node:worker_threads";
import type { Engine } from "../engine/engine.js";
import type { Job } from "../engine/job.js";
import { LocalEngineHost } from "./engine-host.js";
import type { EngineThreadData, FromEngine, JobNews, ToEngine } from "./engine-thread-messages.js";
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
  const host = new LocalEngineHost(engines);
  const jobs = new Map<number, { engine: Engine; job: Job }>();

  // Events go out batched per turn: a decode step pushes one per row synchronously, and the
  // microtask after it posts them all together.
  let news: JobNews[] = [];
  const flush = () => {
    send({ t: "news", items: news });
    news = [];
  };
  const tell = (item: JobNews) => {
    if (news.length === 0) queueMicrotask(flush);
    news.push(item);
  };

  const forward = (id: number, job: Job) =>
    job.events.listen(
      (event) => tell({ job: id, event }),
      (error) => {
        if (error) tell({ job: id, error: toWire(error) });
        jobs.delete(id);
      },
    );

  // A synchronous answer is posted at once (a submit's reply must precede its job's events);
  // a promise when it settles.
  const reply = (call: number, run: () => unknown) => {
    const ok = (value: unknown) => send({ t: "reply", call, value });
    const failed = (e: unknown) => send({ t: "reply", call, error: toWire(e) });
    try {
      const value = run();
      if (value instanceof Promise) value.then(ok, failed);
      else ok(value);
    } catch (e) {
      failed(e);
    }
  };

  port.on("message", (m: ToEngine) => {
    switch (m.t) {
      case "submit":
        reply(m.call, () => {
          jobs.set(m.job, host.enqueue(m.model, m.req));
        });
        // After the reply: its events must not overtake it.
        if (jobs.has(m.job)) forward(m.job, jobs.get(m.job)!.job);
        return;
      case "cancel": {
        const entry = jobs.get(m.job);
        if (entry) entry.engine.cancel(entry.job);
        return;
      }
      case "has-image":
        return reply(m.call, () => host.hasImage(m.sha256));
      case "put-image":
        return reply(m.call, () => host.putImage(m.sha256, m.pixels));
      case "metrics":
        return reply(m.call, () => host.metrics(m.extra));
      case "drain":
        return host.drain();
      case "exit":
        process.exit(0); // ends this thread only
    }
  });
  send({ t: "ready", models: [...host.models], contextLength: host.contextLength });
}
