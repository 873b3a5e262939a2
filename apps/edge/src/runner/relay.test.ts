// The NDJSON → SSE relay on its own: a stream that ends normally, each way the runner's stream
// can fail (an error event, no body, an empty body, a malformed line, a close before `done`),
// and a client that leaves, by its signal or by no longer reading (what `wrangler dev` did
// with a stopped reply). Timers are fake: the stall limit is reached by advancing the clock.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { done } from "../../test/helpers/fake-runner";
import type { ApiError } from "../errors/api-error";
import type { RunnerAnswer } from "./client";
import { isHealthy, markHealthy } from "./health";
import { relayEvents, SSE_KEEPALIVE, WRITE_STALL_MS } from "./relay";

const encoder = new TextEncoder();
const line = (event: unknown) => encoder.encode(`${typeof event === "string" ? event : JSON.stringify(event)}\n`);
const DONE = done("ab");

/**
 * A runner answer streaming `lines`, then closing, or falling silent, or streaming deltas for
 * as long as they are read. Like a real fetch, aborting the call errors the body.
 */
function runnerAnswer(lines: Uint8Array[] | null, then: "close" | "silence" | "deltas" = "close") {
  const seen = { aborted: null as unknown, releases: 0 };
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const body =
    lines &&
    new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
        for (const l of lines) c.enqueue(l);
        if (then === "close") c.close();
      },
      pull(c) {
        if (then === "deltas") c.enqueue(line({ type: "delta", text: "tok " }));
      },
    });
  const answer: RunnerAnswer = {
    runner: "http://runner",
    response: new Response(body),
    abort: (reason) => {
      seen.aborted ??= reason ?? new Error("aborted");
      try {
        controller?.error(seen.aborted);
      } catch {
        // already closed
      }
    },
    release: () => {
      seen.releases++;
    },
  };
  return { answer, seen };
}

const finiteRunner = (lines: Uint8Array[]) => runnerAnswer(lines);
const endlessRunner = () => runnerAnswer([], "deltas");

function hooks() {
  const failures: { error: ApiError; clientGone: boolean }[] = [];
  const committed: unknown[] = [];
  return {
    failures,
    committed,
    hooks: {
      onEvent: (event: { type: string }) => [{ event: event.type }],
      onDone: async (event: unknown) => {
        committed.push(event);
        return [{ committed: true }];
      },
      onFailure: async (error: ApiError, clientGone: boolean) => {
        failures.push({ error, clientGone });
      },
    },
  };
}

/** The `data:` payloads of an SSE body. */
function payloads(text: string): unknown[] {
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => (block === "data: [DONE]" ? "[DONE]" : JSON.parse(block.slice(6))));
}

/** Relays `runner` to a client that reads everything; the payloads and the hooks' records. */
async function relayAll(runner: ReturnType<typeof runnerAnswer>) {
  const h = hooks();
  const relay = relayEvents(runner.answer, h.hooks, { requestId: "req_t", idleTimeoutMs: 60_000 });
  const events = payloads(await new Response(relay.body).text());
  await relay.pumped;
  return { events, ...h };
}

describe("relayEvents", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("relays every event, commits on done, ends with [DONE] and reports no failure", async () => {
    const runner = finiteRunner([
      line({ type: "start", prompt_tokens: 3, cached_tokens: 0 }),
      line({ type: "delta", text: "a" }),
      line({ type: "delta", text: "b" }),
      line(DONE),
    ]);
    const { events, failures, committed } = await relayAll(runner);
    expect(events).toEqual([{ event: "start" }, { event: "delta" }, { event: "delta" }, { committed: true }, "[DONE]"]);
    expect(committed).toEqual([DONE]);
    expect(failures).toEqual([]);
    expect(runner.seen.aborted).toBeNull();
    expect(runner.seen.releases).toBe(1);
  });

  it.each([
    [
      "an error event mid-stream",
      () =>
        finiteRunner([
          line({ type: "delta", text: "a" }),
          line({ type: "error", error: { code: "internal", message: "GPU fell over" } }),
        ]),
      "internal_error",
      "The model runner failed during generation (internal).",
    ],
    [
      "a context_length_exceeded event",
      () => finiteRunner([line({ type: "error", error: { code: "context_length_exceeded", message: "2100 > 2048" } })]),
      "context_length_exceeded",
      "2100 > 2048",
    ],
    ["no body", () => runnerAnswer(null), "internal_error", "The model runner sent an empty stream."],
    [
      "an empty body",
      () => finiteRunner([]),
      "internal_error",
      "The model runner closed the stream before the reply completed.",
    ],
    [
      "a malformed line",
      () => finiteRunner([line({ type: "delta", text: "a" }), line("{not json"), line(DONE)]),
      "internal_error",
      "The model runner's stream broke off.",
    ],
    [
      "a line of the wrong shape",
      () => finiteRunner([line({ type: "delta", text: 7 }), line(DONE)]),
      "internal_error",
      "The model runner's stream broke off.",
    ],
    [
      "a close before done",
      () => finiteRunner([line({ type: "delta", text: "a" })]),
      "internal_error",
      "The model runner closed the stream before the reply completed.",
    ],
  ])("%s: one failure, the error as the last event, no commit", async (_name, make, code, message) => {
    const runner = make();
    const { events, failures, committed } = await relayAll(runner);
    expect(failures).toHaveLength(1);
    expect(failures[0].clientGone).toBe(false);
    expect(failures[0].error).toMatchObject({ code, message });
    expect(events.at(-1)).toEqual({ error: expect.objectContaining({ code, message, request_id: "req_t" }) });
    expect(events).not.toContain("[DONE]");
    expect(committed).toEqual([]);
    expect(runner.seen.aborted).not.toBeNull();
    expect(runner.seen.releases).toBe(1);
  });

  it("a runner silent for idleTimeoutMs: runner_timeout, and the runner call is aborted", async () => {
    const runner = runnerAnswer([line({ type: "delta", text: "a" })], "silence");
    const h = hooks();
    const relay = relayEvents(runner.answer, h.hooks, { requestId: "req_i", idleTimeoutMs: 5_000 });
    const text = new Response(relay.body).text();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(h.failures).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await relay.pumped;
    expect(h.failures[0].error.code).toBe("runner_timeout");
    expect(payloads(await text).at(-1)).toMatchObject({ error: { code: "runner_timeout" } });
    expect(runner.seen.aborted).not.toBeNull();
  });

  it("a runner silent after its first event fails after the stall limit and is marked unhealthy", async () => {
    const runner = runnerAnswer([line({ type: "start", prompt_tokens: 3, cached_tokens: 0 })], "silence");
    markHealthy(runner.answer.runner);
    const h = hooks();
    const relay = relayEvents(runner.answer, h.hooks, {
      requestId: "req_s",
      idleTimeoutMs: 120_000,
      stallTimeoutMs: 3_000,
      keepAliveMs: 1_000,
    });
    const text = new Response(relay.body).text();
    await vi.advanceTimersByTimeAsync(2_999);
    expect(h.failures).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await relay.pumped;
    expect(h.failures).toHaveLength(1);
    expect(h.failures[0]).toMatchObject({
      clientGone: false,
      error: {
        code: "runner_timeout",
        message: "The model runner stopped sending for 3000 ms; the reply was abandoned.",
      },
    });
    expect(runner.seen.aborted).not.toBeNull();
    expect(isHealthy(runner.answer.runner)).toBe(false);
    const body = await text;
    // Two keep-alives while the runner was silent (at 1 s and 2 s), then the error event.
    expect(body.split(SSE_KEEPALIVE)).toHaveLength(3);
    expect(payloads(body)).toEqual([
      { event: "start" },
      { error: expect.objectContaining({ code: "runner_timeout" }) },
    ]);
    markHealthy(runner.answer.runner);
  });

  it("waits idleTimeoutMs, not the stall limit, for the first event, with keep-alives meanwhile", async () => {
    const runner = runnerAnswer([], "silence");
    const h = hooks();
    const relay = relayEvents(runner.answer, h.hooks, {
      requestId: "req_q",
      idleTimeoutMs: 10_000,
      stallTimeoutMs: 1_000,
      keepAliveMs: 4_000,
    });
    const reader = relay.body.getReader();
    const chunks: string[] = [];
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        chunks.push(new TextDecoder().decode(value));
      }
    })();
    await vi.advanceTimersByTimeAsync(9_999);
    expect(h.failures).toEqual([]);
    expect(chunks).toEqual([SSE_KEEPALIVE, SSE_KEEPALIVE]);
    await vi.advanceTimersByTimeAsync(1);
    await relay.pumped;
    await reading;
    expect(h.failures[0].error).toMatchObject({ code: "runner_timeout", message: expect.stringContaining("10000 ms") });
    markHealthy(runner.answer.runner);
  });

  it("a client that stops reading is treated as gone after WRITE_STALL_MS, not before", async () => {
    const runner = endlessRunner();
    const h = hooks();
    const relay = relayEvents(runner.answer, h.hooks, { requestId: "req_1", idleTimeoutMs: 60_000 });
    let over = false;
    relay.pumped.then(() => (over = true));
    // Read two events, then never again (and never cancel): the client silently went away.
    const reader = relay.body.getReader();
    await reader.read();
    await reader.read();
    await vi.advanceTimersByTimeAsync(WRITE_STALL_MS - 1);
    expect(over).toBe(false);
    expect(runner.seen.aborted).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    // The failure is recorded (a conversation unlocks) and the runner call aborted at once…
    expect(runner.seen.aborted).not.toBeNull();
    expect(h.failures).toHaveLength(1);
    expect(h.failures[0].clientGone).toBe(true);
    expect(runner.seen.releases).toBe(1);
    // …and closing the unread stream gives up after one more stall.
    await vi.advanceTimersByTimeAsync(WRITE_STALL_MS);
    await relay.pumped;
  });

  it("ends at once when the client's signal aborts while a write waits", async () => {
    const runner = endlessRunner();
    const h = hooks();
    const client = new AbortController();
    const relay = relayEvents(runner.answer, h.hooks, {
      requestId: "req_2",
      idleTimeoutMs: 60_000,
      clientSignal: client.signal,
    });
    await relay.body.getReader().read(); // then nothing is read, and no timer is ever advanced
    client.abort(new Error("gone"));
    await relay.pumped;
    expect(runner.seen.aborted).not.toBeNull();
    expect(h.failures).toHaveLength(1);
    expect(h.failures[0].clientGone).toBe(true);
  });
});
