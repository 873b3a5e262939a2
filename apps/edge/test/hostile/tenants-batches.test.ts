// Issue #15 item 5, the batch queue: one account's big batches must not fill the queue ahead of
// everyone else. The queue is driven as Cloudflare runs it (first in, first out, at most
// max_batch_size = 8 messages per consumer invocation): a one-line batch of account B is served
// within a few invocations while account A's 120 lines are still pending, a small batch of A
// itself is not stuck behind A's big ones, and a cancelled batch gives its share back.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type BatchDispatchDO, SLOT_LEASE_MS } from "../../src/batches/dispatch-do";
import { createInline, firstText, getBatch, line } from "../helpers/batches";
import { Edge } from "../helpers/edge";
import { delivery } from "../helpers/queues";

/** wrangler.toml's max_batch_size of the batch queue. */
const MAX_BATCH_SIZE = 8;

function setup(env: Record<string, string> = {}) {
  // Token limits out of the way: this is about queue places, not tokens (tenants-cost.test.ts).
  return new Edge({ env: { TOKEN_LIMIT_BURST: "100000000", TOKEN_LIMIT_PER_MINUTE: "100000000", ...env } });
}

const big = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => line(`${prefix}-${i}`, `${prefix} ${i}`));

/** One consumer invocation over the oldest messages on the queue, as the queue delivers them. */
async function round(edge: Edge) {
  const messages = edge.batchQueue.take(MAX_BATCH_SIZE).map((m) => delivery(m));
  const { retried } = await edge.runBatchQueue(messages);
  expect(retried).toEqual([]);
  return messages.length;
}

function dispatcher(edge: Edge, accountId: string): DurableObjectStub<BatchDispatchDO> {
  return edge.env.BATCH_DISPATCH.get(edge.env.BATCH_DISPATCH.idFromName(accountId));
}

describe("hostile input: one account's batches against another's", () => {
  it("serves B's one-line batch within a few invocations while A's 120 lines are pending", async () => {
    const edge = setup();
    const a = await edge.newKey();
    const b = await edge.newKey();
    const runner = edge.runners.get();
    const bigOnes = [];
    for (const name of ["a1", "a2", "a3"]) bigOnes.push(await createInline(edge, a.key, big(name, 40)));
    const small = await createInline(edge, a.key, big("a-small", 2));
    const bBatch = await createInline(edge, b.key, [line("b-0", "b 0")]);
    // A holds its share of the queue (BATCH_ACCOUNT_LINES, 16), not 122 places.
    expect(await dispatcher(edge, a.accountId).counts()).toEqual({ queued: 16, waiting: 106 });

    const ran = () => runner.generateCalls.map(firstText);
    let rounds = 0;
    while (!ran().includes("b 0")) {
      expect(await round(edge)).toBeGreaterThan(0);
      rounds++;
    }
    // B waited for at most A's share (16 lines, two invocations of 8), not for A's 122 lines.
    expect(rounds).toBeLessThanOrEqual(Math.ceil((16 + 1) / MAX_BATCH_SIZE));
    // Runner calls ahead of B's: A's share, plus those of B's own invocation that started first.
    expect(ran().indexOf("b 0")).toBeLessThan(16 + MAX_BATCH_SIZE);
    expect(await getBatch(edge, b.key, bBatch.id)).toMatchObject({ status: "completed" });
    for (const batch of bigOnes) {
      const now = await getBatch(edge, a.key, batch.id);
      expect(now.status).toBe("in_progress");
      expect(now.request_counts.completed).toBeLessThan(40);
    }
    // Within A, the round-robin between batches serves the small one early as well.
    expect(await getBatch(edge, a.key, small.id)).toMatchObject({ status: "completed" });

    // And everything still runs, each line once.
    while (await round(edge)) rounds++;
    for (const batch of bigOnes) {
      expect(await getBatch(edge, a.key, batch.id)).toMatchObject({
        status: "completed",
        request_counts: { total: 40, completed: 40, failed: 0 },
      });
    }
    expect(new Set(ran()).size).toBe(123);
    expect(runner.generateCalls).toHaveLength(123);
    expect(await dispatcher(edge, a.accountId).counts()).toEqual({ queued: 0, waiting: 0 });
  }, 60_000);

  it("a cancelled batch gives its share to the account's other batches at once", async () => {
    const edge = setup({ BATCH_ACCOUNT_LINES: "4" });
    const a = await edge.newKey();
    const first = await createInline(edge, a.key, big("c1", 30));
    const second = await createInline(edge, a.key, big("c2", 3));
    expect(edge.batchQueue.all.map((m) => m.batch_id)).toEqual(Array(4).fill(first.id));
    expect((await edge.fetch(`/v1/batches/${first.id}/cancel`, { method: "POST", key: a.key })).status).toBe(200);
    // The second batch's lines go out without waiting for the first one's to come back.
    expect(edge.batchQueue.all.slice(4).map((m) => m.batch_id)).toEqual(Array(3).fill(second.id));
    await edge.drainBatchQueue();
    expect(await getBatch(edge, a.key, second.id)).toMatchObject({ status: "completed" });
    expect(await getBatch(edge, a.key, first.id)).toMatchObject({ status: "cancelled" });
    expect(
      edge.runners
        .get()
        .generateCalls.map(firstText)
        .filter((t) => t.startsWith("c1")),
    ).toEqual([]);
    expect(await dispatcher(edge, a.accountId).counts()).toEqual({ queued: 0, waiting: 0 });
  });

  it("a lost message does not hold the account's share forever: its line is sent again", async () => {
    const edge = setup({ BATCH_ACCOUNT_LINES: "2" });
    const a = await edge.newKey();
    const batch = await createInline(edge, a.key, big("l", 3));
    const [lost, kept] = edge.batchQueue.take();
    await edge.runBatchQueue([delivery(kept!)]);
    await edge.runBatchQueue(edge.batchQueue.take().map((m) => delivery(m)));
    // Line `lost` never came back (dropped after max_retries): its place stays taken until its lease ends.
    const stub = dispatcher(edge, a.accountId);
    expect(await stub.counts()).toEqual({ queued: 1, waiting: 0 });
    expect(await stub.reclaim()).toEqual([]);
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE queued SET until_ms = until_ms - ?", SLOT_LEASE_MS);
    });
    const again = await stub.reclaim();
    expect(again).toEqual([lost]);
    await edge.runBatchQueue(again.map((m) => delivery(m)));
    expect(await getBatch(edge, a.key, batch.id)).toMatchObject({ status: "completed" });
    expect(await stub.counts()).toEqual({ queued: 0, waiting: 0 });
  });
});
