// The relay when the client stops reading without its disconnect reaching the worker (what
// `wrangler dev` did with a stopped reply): the relay must still end, abort the runner call and
// report the client gone, or the conversation would stay locked.
import { describe, expect, it } from "vitest";
import type { ApiError } from "../errors/api-error";
import type { RunnerAnswer } from "./client";
import { relayEvents } from "./relay";

/** A runner answer streaming deltas until aborted. */
function endlessRunner() {
  let aborted: unknown = null;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (aborted) return controller.error(aborted);
      controller.enqueue(encoder.encode(`${JSON.stringify({ type: "delta", text: "tok " })}\n`));
    },
  });
  const answer: RunnerAnswer = {
    runner: "http://runner",
    response: new Response(body),
    abort: (reason) => {
      aborted = reason ?? new Error("aborted");
    },
    release: () => {},
  };
  return { answer, wasAborted: () => aborted !== null };
}

function hooks() {
  const failures: { error: ApiError; clientGone: boolean }[] = [];
  return {
    failures,
    hooks: {
      onEvent: (event: { type: string }) => [{ event: event.type }],
      onDone: async () => [],
      onFailure: async (error: ApiError, clientGone: boolean) => {
        failures.push({ error, clientGone });
      },
    },
  };
}

describe("relayEvents", () => {
  it("ends, aborts the runner call and reports the client gone when the client stops reading", async () => {
    const runner = endlessRunner();
    const h = hooks();
    const relay = relayEvents(runner.answer, h.hooks, { requestId: "req_1", idleTimeoutMs: 60_000, writeStallMs: 50 });
    // Read two events, then never again (and never cancel): the client silently went away.
    const reader = relay.body.getReader();
    await reader.read();
    await reader.read();
    const started = Date.now();
    await relay.pumped;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(runner.wasAborted()).toBe(true);
    expect(h.failures).toHaveLength(1);
    expect(h.failures[0].clientGone).toBe(true);
  });

  it("ends at once when the client's signal aborts while a write waits", async () => {
    const runner = endlessRunner();
    const h = hooks();
    const client = new AbortController();
    const relay = relayEvents(runner.answer, h.hooks, {
      requestId: "req_2",
      idleTimeoutMs: 60_000,
      clientSignal: client.signal,
      writeStallMs: 60_000,
    });
    await relay.body.getReader().read(); // then nothing is read
    setTimeout(() => client.abort(new Error("gone")), 20);
    const started = Date.now();
    await relay.pumped;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(runner.wasAborted()).toBe(true);
    expect(h.failures[0].clientGone).toBe(true);
  });

  it("a reading client gets every event and no failure", async () => {
    const encoder = new TextEncoder();
    const lines = [
      { type: "delta", text: "a" },
      { type: "delta", text: "b" },
    ].map((e) => encoder.encode(`${JSON.stringify(e)}\n`));
    const answer: RunnerAnswer = {
      runner: "http://runner",
      response: new Response(new Blob(lines).stream()),
      abort: () => {},
      release: () => {},
    };
    const h = hooks();
    const relay = relayEvents(answer, h.hooks, { requestId: "req_3", idleTimeoutMs: 60_000, writeStallMs: 50 });
    const text = await new Response(relay.body).text();
    await relay.pumped;
    expect(text.match(/"event":"delta"/g)).toHaveLength(2);
    // The runner closed without a done event: a failure, reported with the client present.
    expect(h.failures).toHaveLength(1);
    expect(h.failures[0].clientGone).toBe(false);
  });
});
