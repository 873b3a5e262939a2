// Issue #15 item 5, runner side: one account must not occupy the runner. Account A runs a
// worst-case load on a real engine (tiny model): a beam search plus a backlog of long
// generations, as many as its share of the queue takes. Account B's small request still gets a
// row at once and completes in a bounded number of decode steps, while A's work goes on.
import type { GenerateRequest, GenerationParams } from "@mmgpt/schema/internal";
import { beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../src/engine/engine.js";
import type { EngineError } from "../src/engine/errors.js";
import type { EngineEvent } from "../src/engine/job.js";
import type { ModelRuntime } from "../src/model/runtime.js";
import { servingBuild } from "../src/server/load-model.js";
import { loadTokenizer } from "../src/tokenizer/index.js";
import type { Tokenizer } from "../src/tokenizer/types.js";
import { greedyParams, tinyModel } from "./tiny-model.js";

const A = "tenant-a-0123456789abcdef";
const B = "tenant-b-0123456789abcdef";
const C = "tenant-c-0123456789abcdef";
/** Forces one byte token ("a") at every step: a reply that never stops before max_tokens. */
const ENDLESS = { logit_bias: { "100": 100 } };
let rt: ModelRuntime;
let tokenizer: Tokenizer;

beforeAll(async () => {
  rt = await tinyModel().load(servingBuild({ precision: "fp32", kvDtype: "fp16" }));
  tokenizer = await loadTokenizer();
});

let n = 0;
function request(tenant: string, params: Partial<GenerationParams>): GenerateRequest {
  return {
    request_id: `${tenant.slice(0, 8)}-${n++}`,
    model: "mmgpt-tiny",
    tenant,
    turns: [{ role: "user", text: "Write a long story about the sea." }],
    params: greedyParams(params),
    stream: false,
  };
}

function rejection(run: () => unknown): EngineError {
  try {
    run();
  } catch (e) {
    return e as EngineError;
  }
  throw new Error("expected a rejection");
}

describe("hostile input: one account cannot occupy the runner", () => {
  it("serves B's small request at once while A holds a beam search and a full backlog", async () => {
    const engine = new Engine(rt, tokenizer, {
      maxBatch: 4,
      slots: 8,
      maxQueue: 32,
      maxContext: 512,
      imageFeatureBytes: 16 << 20,
      imagePixelBytes: 16 << 20,
      tenantRows: 2,
      tenantQueue: 6,
    });
    // Beam rows and choices count against the share: a request wider than it is refused.
    expect(rejection(() => engine.submit(request(A, { num_beams: 4, max_tokens: 40 })))).toMatchObject({
      code: "invalid_request",
      message: expect.stringMatching(/num_beams must be ≤ 2/),
    });
    expect(rejection(() => engine.submit(request(A, { n: 3, max_tokens: 4 }))).code).toBe("invalid_request");

    // A's worst case: a beam search over its whole share, then a backlog of endless replies.
    const aJobs = [engine.submit(request(A, { num_beams: 2, max_tokens: 40 }))];
    for (let i = 0; i < 6; i++) aJobs.push(engine.submit(request(A, { max_tokens: 200, ...ENDLESS })));
    // Its share of the queue is full (the queue itself is not): its next request is turned away…
    expect(rejection(() => engine.submit(request(A, { max_tokens: 4 }))).code).toBe("overloaded");
    // (The beam search may end early on an end token; the endless replies cannot.)
    let aDone = 0;
    const aRuns = aJobs.map(async (job, i) => {
      for await (const e of engine.events(job)) if (e.type === "done" && i > 0) aDone++;
    });
    while (engine.stats.decodeSteps < 3) await new Promise((r) => setImmediate(r));

    // …while another account's request goes straight into the batch and finishes.
    const stepsBefore = engine.stats.decodeSteps;
    const bJob = engine.submit(request(B, { max_tokens: 6, ...ENDLESS }));
    const events: EngineEvent[] = [];
    for await (const e of engine.events(bJob)) events.push(e);
    const done = events.at(-1);
    expect(done).toMatchObject({ type: "done", finish_reason: "length", usage: { completion_tokens: 6 } });
    // 6 tokens: the first comes from the prefill, the other 5 from decode steps (+1 for the step
    // that may be running when B arrives). Without shares B waited for one of A's 200-token replies.
    expect(engine.stats.decodeSteps - stepsBefore).toBeLessThanOrEqual(7);
    expect(aDone).toBe(0);
    // A third account still finds room in the queue A cannot fill.
    const cJob = engine.submit(request(C, { max_tokens: 2 }));
    for await (const _ of engine.events(cJob));

    // Cancelled, A's queued requests fail and its running ones stop.
    for (const job of aJobs) engine.cancel(job);
    await Promise.allSettled(aRuns);
  });
});
