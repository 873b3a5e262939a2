// Issue #15 item 9: locks and stalls. A conversation's lock is a lease its holder renews while
// the reply is alive, so a dead holder's lock lapses; a runner that freezes mid-stream ends the
// reply cleanly after the stall limit (error event, lock released, nothing committed) and is
// routed around; a quiet stream gets keep-alive comments. Intervals are shortened through the
// configuration so every wait here ends on an event within a second.
import { describe, expect, it } from "vitest";
import { SSE_KEEPALIVE } from "../../src/runner/relay";
import { Edge, type EdgeOptions, type Loose, sseData } from "../helpers/edge";
import { done, FakeRunners, gate, ndjson } from "../helpers/fake-runner";

async function setup(options: EdgeOptions = {}) {
  // The polls below are requests of their own (a fast machine makes ~100 in a test), so the
  // per-key request bucket is raised out of their way; rate limits are tested elsewhere.
  const quota = { RATE_LIMIT_BURST: "100000", RATE_LIMIT_PER_MINUTE: "100000" };
  const edge = new Edge({ ...options, env: { ...quota, ...options.env } });
  const { key } = await edge.newKey();
  const conv = (await (await edge.fetch("/v1/conversations", { method: "POST", key, json: {} })).json()) as Loose;
  const send = (json: unknown) => edge.fetch(`/v1/conversations/${conv.id}/messages`, { method: "POST", key, json });
  const get = async () => (await (await edge.fetch(`/v1/conversations/${conv.id}`, { key })).json()) as Loose;
  const stub = edge.env.CONVERSATIONS.get(edge.env.CONVERSATIONS.idFromName(conv.id));
  return { edge, key, conv, send, get, stub };
}

/** Polls `check` (each poll is I/O, so time moves in workerd) until it holds or `ms` pass. */
async function eventually(check: () => Promise<boolean>, ms: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Date.now() - start;
}

describe("conversation locks", () => {
  it("a holder that died stops renewing, so its lock lapses within one lease", async () => {
    const { edge, key, conv, get, stub } = await setup({ env: { GENERATION_LEASE_MS: "300" } });
    // An edge that took the lock and died at once: nobody renews it.
    expect(await stub.begin("gen_dead", 300)).toMatchObject({ ok: true });
    expect(await get()).toMatchObject({ generating: true });
    const busy = await edge.fetch(`/v1/conversations/${conv.id}`, { method: "DELETE", key });
    expect(busy.status).toBe(409);
    await eventually(async () => !(await get()).generating, 3_000);
    const del = await edge.fetch(`/v1/conversations/${conv.id}`, { method: "DELETE", key });
    expect(del.status).toBe(200);
  });

  it("a live reply keeps its lock past the lease, and commits when done", async () => {
    const runners = new FakeRunners(["http://lease-a.test"]);
    const hold = gate();
    runners.get("http://lease-a.test").generate = (_req, signal) =>
      ndjson([{ type: "delta", text: "slow" }, hold.promise, done("slow")], signal);
    // Long enough that a loaded machine still renews in time (every third of it).
    const { send, get } = await setup({ runners, env: { GENERATION_LEASE_MS: "600" } });
    const reply = await send({ content: "hi", stream: true });
    const started = Date.now();
    // Three leases go by while the runner holds the reply; the lock never lapses meanwhile.
    await eventually(async () => {
      expect(await get()).toMatchObject({ generating: true });
      return Date.now() - started > 1_800;
    }, 10_000);
    expect((await send({ content: "again" })).status).toBe(409);
    hold.open();
    expect((sseData(await reply.text()) as Loose[]).at(-1)).toBe("[DONE]");
    expect(await get()).toMatchObject({ generating: false, message_count: 2 });
  }, 20_000);
});

describe("a runner that freezes mid-stream", () => {
  it("ends the reply after the stall limit with keep-alives before, unlocks, commits nothing, and is routed around", async () => {
    const urls = ["http://frozen-a.test", "http://frozen-b.test"];
    const runners = new FakeRunners(urls);
    let frozen: string | null = null;
    for (const url of urls) {
      runners.get(url).generate = (_req, signal, runner) => {
        if (frozen !== null) return Response.json(done("from the healthy one"));
        frozen = runner.url; // the first runner asked stops writing after one delta, for good
        return ndjson(
          [
            { type: "start", prompt_tokens: 3, cached_tokens: 0 },
            { type: "delta", text: "par" },
            new Promise(() => {}),
          ],
          signal,
        );
      };
    }
    const { send, get, edge } = await setup({
      runners,
      env: { RUNNER_STALL_MS: "400", SSE_KEEPALIVE_MS: "100", GENERATION_LEASE_MS: "30000" },
    });
    const res = await send({ content: "hi", stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(SSE_KEEPALIVE);
    const events = sseData(text) as Loose[];
    expect(events.at(-1)).toMatchObject({ error: { code: "runner_timeout" } });
    expect(events).not.toContain("[DONE]");
    await edge.settle();
    expect(await get()).toMatchObject({ generating: false, message_count: 0, last_error: { code: "runner_timeout" } });

    // The conversation's next turn goes to the other runner, not into the same hang.
    const next = await send({ content: "hi again" });
    expect(next.status).toBe(200);
    const healthy = urls.find((u) => u !== frozen)!;
    expect(runners.get(healthy).generateCalls).toHaveLength(1);
    expect(runners.get(frozen!).generateCalls).toHaveLength(1);
  });
});
