// Runs on the service thread: the engines on a worker thread of their own (engine-thread-main.ts),
// as an EngineHost whose every call is a message to that thread.
// ORT runs synchronously on the thread that calls it: with engines and HTTP on one thread,
// every decode step waited for the previous step's socket writes (~0.2 ms a token here) and
// for request parsing. Here they overlap: the engine thread only posts events.
import { Worker } from "node:worker_threads";
import type { GenerateRequest } from "@mmgpt/schema/internal";
import { Channel } from "../engine/channel.js";
import { EngineError } from "../engine/errors.js";
import type { EngineEvent } from "../engine/job.js";
import type { RunnerConfig } from "../server/config.js";
import type { EngineHost, HostedJob } from "./engine-host.js";
import { type EngineThreadData, type FromEngine, fromWire, type ToEngine } from "./thread-messages.js";

// Under tsx (development, tests) the entry is the .ts source; in the bundle, dist/engine-thread-main.js.
const entry = new URL(`./engine-thread-main.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url);

/** tsx's ESM API, resolved from here (the thread's own resolution would start at its cwd). */
function tsxApi(): string {
  return typeof import.meta.resolve === "function" ? import.meta.resolve("tsx/esm/api") : "tsx/esm/api";
}

export class ThreadEngineHost implements EngineHost {
  private calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private jobs = new Map<number, Channel<EngineEvent>>();
  private nextId = 1;
  private dead: EngineError | null = null;
  private onDeath: (reason: string) => void = () => {};

  private constructor(
    private readonly worker: Worker,
    readonly models: readonly string[],
    readonly contextLength: number,
  ) {
    worker.on("message", (m: FromEngine) => this.receive(m));
    worker.on("error", (e) => this.die(`the engine thread failed: ${e.message}`));
    worker.on("exit", (code) => this.die(`the engine thread exited (code ${code})`));
  }

  /**
   * Starts the engine thread and resolves once its models are loaded; rejects with the load
   * error. `onDeath` hears about a thread that fails later (the runner then exits: a restart
   * is the only way back to a working engine).
   */
  static start(config: RunnerConfig, onDeath: (reason: string) => void = () => {}): Promise<ThreadEngineHost> {
    const data: EngineThreadData = { config };
    const worker = entry.pathname.endsWith(".ts")
      ? // The TypeScript source (development, tests): a thread's loader hooks do not carry over
        // from `node --import tsx`, so the thread imports its entry through tsx's API.
        new Worker(
          `import(${JSON.stringify(tsxApi())})` +
            `.then((tsx) => tsx.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(entry.href)}))`,
          { eval: true, workerData: data },
        )
      : new Worker(entry, { workerData: data });
    return new Promise((resolve, reject) => {
      const early = (m: FromEngine) => {
        if (m.t === "ready") {
          worker.off("message", early);
          worker.off("error", reject);
          const host = new ThreadEngineHost(worker, m.models, m.contextLength);
          host.onDeath = onDeath;
          resolve(host);
        } else if (m.t === "load-failed") {
          void worker.terminate();
          reject(new Error(m.message));
        }
      };
      worker.on("message", early);
      worker.on("error", reject);
      worker.once("exit", (code) => reject(new Error(`the engine thread exited while loading (code ${code})`)));
    });
  }

  private receive(m: FromEngine): void {
    if (m.t === "reply") {
      const call = this.calls.get(m.call);
      this.calls.delete(m.call);
      if (m.error) call?.reject(fromWire(m.error));
      else call?.resolve(m.value);
    } else if (m.t === "news") {
      for (const item of m.items) {
        const channel = this.jobs.get(item.job);
        if ("error" in item) {
          channel?.fail(fromWire(item.error));
          this.jobs.delete(item.job);
        } else {
          channel?.push(item.event);
          if (item.event.type === "done") {
            channel?.close();
            this.jobs.delete(item.job);
          }
        }
      }
    }
  }

  private die(reason: string): void {
    if (this.dead) return;
    this.dead = new EngineError("internal", reason);
    for (const c of this.calls.values()) c.reject(this.dead);
    for (const j of this.jobs.values()) j.fail(this.dead);
    this.calls.clear();
    this.jobs.clear();
    this.onDeath(reason);
  }

  private call<T>(message: (call: number) => ToEngine, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const call = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(call, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage(message(call), transfer);
    });
  }

  async submit(model: string, req: GenerateRequest): Promise<HostedJob> {
    const id = this.nextId++;
    const channel = new Channel<EngineEvent>();
    this.jobs.set(id, channel);
    try {
      await this.call((call) => ({ t: "submit", call, job: id, model, req }));
    } catch (e) {
      this.jobs.delete(id);
      throw e;
    }
    let cancelled = false;
    const cancel = () => {
      if (cancelled || !this.jobs.has(id)) return;
      cancelled = true;
      this.worker.postMessage({ t: "cancel", job: id } satisfies ToEngine);
    };
    return {
      async *events() {
        let finished = false;
        try {
          for await (const e of channel) yield e;
          finished = true;
        } finally {
          if (!finished) cancel();
        }
      },
      cancel,
      get cancelled() {
        return cancelled;
      },
    };
  }

  hasImage(tenant: string, sha256: string): Promise<boolean> {
    return this.call((call) => ({ t: "has-image", call, tenant, sha256 }));
  }

  putImage(tenant: string, sha256: string, pixels: Uint8Array): Promise<void> {
    // The bytes move to the engine thread (no copy); the caller must not use them afterwards.
    const own = pixels.byteOffset === 0 && pixels.byteLength === pixels.buffer.byteLength ? pixels : pixels.slice();
    return this.call((call) => ({ t: "put-image", call, tenant, sha256, pixels: own }), [own.buffer as ArrayBuffer]);
  }

  metrics(extra: Record<string, number>): Promise<string> {
    return this.call((call) => ({ t: "metrics", call, extra }));
  }

  drain(): void {
    if (!this.dead) this.worker.postMessage({ t: "drain" } satisfies ToEngine);
  }

  /**
   * Ends the engine thread between two runs (Worker.terminate() during a native ORT call
   * aborts the whole process); jobs still in flight fail. Call before the process exits.
   */
  async close(): Promise<void> {
    this.onDeath = () => {};
    if (this.dead) return;
    const exited = new Promise((r) => this.worker.once("exit", r));
    this.worker.postMessage({ t: "exit" } satisfies ToEngine);
    await exited;
  }
}
