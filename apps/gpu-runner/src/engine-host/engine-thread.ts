// Runs on the engine thread: serves an EngineHost's calls that arrive over a message port from
// the service thread (service-thread.ts), through the EngineHost interface alone. A call is
// answered by one `reply`; a job's events follow its submit's reply, in order.
import type { MessagePort } from "node:worker_threads";
import type { EngineHost, HostedJob } from "./engine-host.js";
import { type FromEngine, type JobNews, type ToEngine, toWire } from "./thread-messages.js";

/** Where the engine thread posts (a worker's parentPort, or one end of a MessageChannel). */
type Port = Pick<MessagePort, "postMessage" | "on">;

export function serveHost(host: EngineHost, port: Port): void {
  const send = (m: FromEngine) => port.postMessage(m);
  const jobs = new Map<number, HostedJob>();

  // Events go out batched: a decode step pushes one per row, and everything the jobs produced
  // before the engine loop yields (setImmediate, see engine.ts) leaves in one message.
  let news: JobNews[] = [];
  const tell = (item: JobNews) => {
    if (news.length === 0)
      setImmediate(() => {
        send({ t: "news", items: news });
        news = [];
      });
    news.push(item);
  };

  const forward = async (id: number, job: HostedJob) => {
    try {
      for await (const event of job.events()) tell({ job: id, event });
    } catch (e) {
      tell({ job: id, error: toWire(e) });
    } finally {
      jobs.delete(id);
    }
  };

  const reply = (call: number, run: () => Promise<unknown>) =>
    run().then(
      (value) => send({ t: "reply", call, value }),
      (e: unknown) => send({ t: "reply", call, error: toWire(e) }),
    );

  port.on("message", (m: ToEngine) => {
    switch (m.t) {
      case "submit":
        void reply(m.call, async () => {
          const job = await host.submit(m.model, m.req);
          jobs.set(m.job, job);
        }).then(() => {
          // After the reply: its events must not overtake it.
          const job = jobs.get(m.job);
          if (job) void forward(m.job, job);
        });
        return;
      case "cancel":
        jobs.get(m.job)?.cancel();
        return;
      case "has-image":
        return void reply(m.call, () => host.hasImage(m.tenant, m.sha256));
      case "put-image":
        return void reply(m.call, () => host.putImage(m.tenant, m.sha256, m.pixels));
      case "metrics":
        return void reply(m.call, () => host.metrics(m.extra));
      case "drain":
        return host.drain();
      case "exit":
        process.exit(0); // ends this thread only
    }
  });
}
