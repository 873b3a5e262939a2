// The engines on their own thread (what the runner process serves through): the same tokens
// as the engines on the caller's thread, errors that keep their code and details across the
// thread boundary, images, cancellation, metrics, and a thread that dies failing its jobs.
import { createHash } from "node:crypto";
import type { Worker } from "node:worker_threads";
import type { GenerateRequest } from "@mmgpt/schema/internal";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineError } from "../src/engine/errors.js";
import type { EngineEvent } from "../src/engine/job.js";
import type { EngineHost } from "../src/engine-host/engine-host.js";
import { LocalEngineHost } from "../src/engine-host/local-host.js";
import { ThreadEngineHost } from "../src/engine-host/service-thread.js";
import { loadConfig } from "../src/server/config.js";
import { loadEngines } from "../src/server/load-model.js";
import { silentLogger } from "../src/server/logger.js";
import { greedyParams, TEST_TENANT, tinyModel } from "./tiny-model.js";
import { waitFor } from "./wait-for.js";

const cfg = () =>
  loadConfig({
    RUNNER_SECRET: "thread-test-secret-0123",
    MMGPT_MODEL_DIR: tinyModel(31).dir,
    MMGPT_THREADS: "1",
    MMGPT_MAX_CONTEXT: "256",
  });
let thread: ThreadEngineHost;
let local: LocalEngineHost;

const request = (over: Partial<GenerateRequest> = {}, maxTokens = 12): GenerateRequest => ({
  request_id: "req-thread",
  model: "mmgpt-tiny",
  tenant: TEST_TENANT,
  turns: [{ role: "user", text: "Describe the sea in a few words." }],
  params: greedyParams({ max_tokens: maxTokens }),
  stream: true,
  ...over,
});

async function collect(host: EngineHost, req: GenerateRequest): Promise<EngineEvent[]> {
  const job = await host.submit(req.model, req);
  const events: EngineEvent[] = [];
  for await (const e of job.events()) events.push(e);
  return events;
}

async function rejection(p: Promise<unknown>): Promise<EngineError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(EngineError);
  return e as EngineError;
}

beforeAll(async () => {
  thread = await ThreadEngineHost.start(cfg());
  local = new LocalEngineHost(await loadEngines(cfg(), silentLogger));
});
afterAll(() => thread?.close());

describe("engines on their own thread", () => {
  it("gives the same events as the engines on the caller's thread", async () => {
    expect(thread.models).toEqual(["mmgpt-tiny"]);
    expect(thread.contextLength).toBe(256);
    const [a, b] = [await collect(thread, request()), await collect(local, request())];
    expect(a.map((e) => e.type)).toEqual(["start", ...Array(a.length - 2).fill("delta"), "done"]);
    expect(a).toEqual(b);
  });

  it("keeps error codes and details across the thread", async () => {
    const sha = "ab".repeat(32);
    const missing = await rejection(
      thread.submit("mmgpt-tiny", request({ turns: [{ role: "user", text: "What is it?", images: [sha] }] })),
    );
    expect(missing.code).toBe("image_missing");
    expect(missing.details).toEqual({ missing: [sha] });
    expect((await rejection(thread.submit("mmgpt-tiny", request({}, 1000)))).code).toBe("context_length_exceeded");
    expect((await rejection(thread.submit("nope", request({ model: "nope" })))).code).toBe("model_not_found");
  });

  it("takes images, reports them present, and generates with them", async () => {
    const px = new Uint8Array(224 * 224 * 3).fill(11);
    const sha = createHash("sha256").update(px).digest("hex");
    expect(await thread.hasImage(TEST_TENANT, sha)).toBe(false);
    await thread.putImage(TEST_TENANT, sha, px.slice());
    await local.putImage(TEST_TENANT, sha, px.slice());
    expect(await thread.hasImage(TEST_TENANT, sha)).toBe(true);
    const req = request({ turns: [{ role: "user", text: "What is it?", images: [sha] }] });
    expect(await collect(thread, req)).toEqual(await collect(local, req));
  });

  it("cancels a job whose consumer stops early, and counts it in the metrics", async () => {
    const job = await thread.submit("mmgpt-tiny", request({}, 200));
    let seen = 0;
    for await (const e of job.events()) if (e.type === "delta" && ++seen === 2) break;
    expect(job.cancelled).toBe(true);
    let metrics = "";
    await waitFor(async () => {
      metrics = await thread.metrics({ mmgpt_in_flight_requests: 0 });
      return /mmgpt_requests_cancelled_total 1\b/.test(metrics);
    });
    expect(metrics).toMatch(/mmgpt_requests_cancelled_total 1\b/);
    expect(metrics).toMatch(/mmgpt_in_flight_requests 0/);
  });

  it("fails in-flight jobs and later calls, and reports the death, when the engine thread crashes", async () => {
    const deaths: string[] = [];
    const host = await ThreadEngineHost.start(cfg(), (reason) => deaths.push(reason));
    const job = await host.submit("mmgpt-tiny", request({}, 200));
    const events = job.events();
    await events.next();
    crashEngineThread(host);
    const err = await rejection(
      (async () => {
        for await (const _ of events);
      })(),
    );
    expect(err.code).toBe("internal");
    expect(err.message).toMatch(/the engine thread failed/);
    expect(deaths).toEqual([err.message]);
    expect((await rejection(host.hasImage(TEST_TENANT, "00".repeat(32)))).code).toBe("internal");
  });
});

/**
 * An uncaught exception on the engine thread, as a bug there would throw: a message its handler
 * cannot read (`m.t` of null). Not close(), which ends the thread on purpose and clears the
 * death handler.
 */
function crashEngineThread(host: ThreadEngineHost): void {
  (host as unknown as { worker: Worker }).worker.postMessage(null);
}
