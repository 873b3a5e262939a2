// Batches through the queue: every request runs through the chat path once per custom_id,
// results land in R2 as JSONL exactly once per line, retries and cancels add up, invalid input
// lines are named by number, and another account sees nothing.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { Batch, BatchOutputLine } from "@mmgpt/schema";
import { describe, expect, it } from "vitest";
import { createBatch, createInline, firstText, getBatch, jsonl, line, lines } from "./helpers/batches";
import { Edge, type Loose } from "./helpers/edge";
import { done, gate, runnerError } from "./helpers/fake-runner";
import { dataUrl, png } from "./helpers/images";
import { delivery } from "./helpers/queues";

async function setup() {
  const edge = new Edge();
  const { key, accountId } = await edge.newKey();
  return { edge, key, accountId, runner: edge.runners.get() };
}

function stubOf(id: string) {
  return env.BATCHES.get(env.BATCHES.idFromName(id));
}

describe("batches", () => {
  it("a 20-request batch runs through the queue and completes with 20 result lines", async () => {
    const { edge, key, runner } = await setup();
    const image = dataUrl(await png(32, 24));
    const requests = lines(20).map((r, i) =>
      i % 5 === 0
        ? line(r.custom_id, [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: image } },
          ])
        : r,
    );
    const created = await createInline(edge, key, requests, { job: "twenty" });
    expect(created).toMatchObject({
      object: "batch",
      status: "in_progress",
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      request_counts: { total: 20, completed: 0, failed: 0 },
      metadata: { job: "twenty" },
      output_file_id: null,
    });
    expect(created.id).toMatch(/^batch_/);
    expect(created.input_file_id).toMatch(/^file-/);
    expect(created.expires_at - created.created_at).toBe(24 * 3600);
    // The account's share of the queue (BATCH_ACCOUNT_LINES); the other 4 follow as lines finish.
    expect(edge.batchQueue.all).toHaveLength(16);

    expect(await edge.drainBatchQueue()).toEqual([]);
    const batch = await getBatch(edge, key, created.id);
    expect(batch).toMatchObject({ status: "completed", request_counts: { total: 20, completed: 20, failed: 0 } });
    expect(batch.finalizing_at).toBeGreaterThanOrEqual(batch.in_progress_at);
    expect(batch.completed_at).toBeGreaterThanOrEqual(batch.finalizing_at);
    expect(batch.error_file_id).toBeNull();
    expect(Batch.safeParse(batch).success).toBe(true);

    const output = await jsonl(edge, key, created.id, "output");
    expect(output).toHaveLength(20);
    expect(new Set(output.map((l) => l.custom_id))).toEqual(new Set(requests.map((r) => r.custom_id)));
    for (const l of output) {
      expect(BatchOutputLine.safeParse(l).error).toBeUndefined();
      expect(l.id).toMatch(/^batch_req_/);
      expect(l.error).toBeNull();
      expect(l.response).toMatchObject({ status_code: 200, body: { object: "chat.completion" } });
      expect(l.response.body.choices[0].message.content).toBe("Hello world");
    }
    expect(await jsonl(edge, key, created.id, "errors")).toEqual([]);
    // A request whose image the runner lacks costs one extra image_missing round.
    expect(runner.generateCalls.length).toBeGreaterThanOrEqual(20);
    expect(new Set(runner.generateCalls.map(firstText))).toHaveProperty("size", 17);
    // The output is also a file of the account.
    const file = (await (await edge.fetch(`/v1/files/${batch.output_file_id}`, { key })).json()) as Loose;
    expect(file).toMatchObject({ purpose: "batch_output", width: null, status: "processed" });
  });

  it("a duplicated or redelivered message never adds a second result line", async () => {
    const { edge, key, runner } = await setup();
    // From a file with multi-byte text: each request is read back by its byte range.
    const requests = [line("a", "héllo ✓ ü"), line("b", "日本語のテキスト"), line("c")];
    const form = new FormData();
    form.append("purpose", "batch");
    form.append("file", new File([`${requests.map((r) => JSON.stringify(r)).join("\n")}\n`], "in.jsonl"));
    const file = (await (await edge.fetch("/v1/files", { method: "POST", key, body: form })).json()) as Loose;
    const res = await createBatch(edge, key, { input_file_id: file.id });
    expect(res.status).toBe(200);
    const created = (await res.json()) as Loose;
    expect(created.input_file_id).toBe(file.id);

    const sent = edge.batchQueue.take();
    expect(sent).toHaveLength(3);
    // The same message twice in one invocation: the second waits for the first's lease.
    const first = await edge.runBatchQueue([delivery(sent[0]), delivery(sent[0]), delivery(sent[1])]);
    expect(first.acked).toHaveLength(2);
    expect(first.retried).toHaveLength(1);
    expect(first.retried[0].delaySeconds).toBeGreaterThan(0);
    // Redelivered after it ran, then the last one twice in a row.
    const second = await edge.runBatchQueue([first.retried[0], delivery(sent[0]), delivery(sent[2])]);
    expect(second.retried).toEqual([]);
    await edge.runBatchQueue([delivery(sent[2])]);

    const batch = await getBatch(edge, key, created.id);
    expect(batch).toMatchObject({ status: "completed", request_counts: { total: 3, completed: 3, failed: 0 } });
    const output = await jsonl(edge, key, created.id, "output");
    expect(output.map((l) => l.custom_id).sort()).toEqual(["a", "b", "c"]);
    expect(runner.generateCalls.map(firstText).sort()).toEqual(["Say hi (c)", "héllo ✓ ü", "日本語のテキスト"]);
  });

  it("transient runner failures are retried with backoff; permanent ones go to the error file", async () => {
    const { edge, key, runner } = await setup();
    const seen = new Map<string, number>();
    runner.generate = (req) => {
      const text = firstText(req);
      const n = (seen.get(text) ?? 0) + 1;
      seen.set(text, n);
      if (text.startsWith("flaky") && n <= 2) return runnerError(503, "overloaded", "busy", { "retry-after": "1" });
      if (text.startsWith("long")) return runnerError(400, "context_length_exceeded", "prompt too long");
      if (text.startsWith("down")) return runnerError(503, "overloaded");
      return Response.json(done("fine"));
    };
    const requests = [
      ...["flaky-1", "flaky-2", "flaky-3"].map((t) => line(t, t)),
      ...["long-1", "long-2"].map((t) => line(t, t)),
      line("down-1", "down-1"),
      ...["ok-1", "ok-2", "ok-3", "ok-4"].map((t) => line(t, t)),
    ];
    const created = await createInline(edge, key, requests);
    const retries = await edge.drainBatchQueue();
    // flaky: 2 retries each; down: retried until the attempt cap (8 attempts → 7 retries).
    expect(retries.filter((r) => r.body.line <= 3)).toHaveLength(6);
    expect(retries.filter((r) => r.body.line === 6)).toHaveLength(7);
    expect(retries.every((r) => (r.delaySeconds ?? 0) >= 1)).toBe(true);
    const downDelays = retries.filter((r) => r.body.line === 6).map((r) => r.delaySeconds!);
    expect(downDelays[0]).toBeLessThanOrEqual(6);
    expect(downDelays.at(-1)).toBeGreaterThan(downDelays[0] * 4); // exponential

    const batch = await getBatch(edge, key, created.id);
    expect(batch).toMatchObject({ status: "completed", request_counts: { total: 10, completed: 7, failed: 3 } });
    const output = await jsonl(edge, key, created.id, "output");
    const errors = await jsonl(edge, key, created.id, "errors");
    expect(output.length + errors.length).toBe(10);
    expect(output.map((l) => l.custom_id).sort()).toEqual([
      "flaky-1",
      "flaky-2",
      "flaky-3",
      "ok-1",
      "ok-2",
      "ok-3",
      "ok-4",
    ]);
    const byId = Object.fromEntries(errors.map((l) => [l.custom_id, l]));
    expect(byId["long-1"].response).toMatchObject({
      status_code: 400,
      body: { error: { code: "context_length_exceeded", type: "invalid_request_error" } },
    });
    expect(byId["long-1"].response.request_id).toBe(byId["long-1"].response.body.error.request_id);
    expect(byId["down-1"].response).toMatchObject({
      status_code: 503,
      body: { error: { code: "runner_unavailable" } },
    });
    expect(seen.get("long-1")).toBe(1); // permanent: not retried
  });

  it("cancel stops new work, lets the running request finish, and finalizes", async () => {
    const { edge, key, runner } = await setup();
    const hold = gate();
    const arrived = gate();
    runner.generate = async (req) => {
      if (firstText(req) === "slow") {
        arrived.open();
        await hold.promise;
      }
      return Response.json(done("ok"));
    };
    const created = await createInline(edge, key, [
      line("r1", "a"),
      line("r2", "b"),
      line("r3", "slow"),
      ...lines(3, "later"),
    ]);
    const sent = edge.batchQueue.take();
    await edge.runBatchQueue(sent.slice(0, 2).map((m) => delivery(m)));
    const running = edge.runBatchQueue([delivery(sent[2])]);
    await arrived.promise; // the slow request is at the runner

    const cancel = await edge.fetch(`/v1/batches/${created.id}/cancel`, { method: "POST", key });
    expect(cancel.status).toBe(200);
    const cancelling = (await cancel.json()) as Loose;
    expect(cancelling.status).toBe("cancelling");
    expect(cancelling.cancelling_at).toBeGreaterThan(0);
    expect((await edge.fetch(`/v1/batches/${created.id}/output`, { key })).status).toBe(409);

    hold.open();
    await running;
    const rest = await edge.runBatchQueue(sent.slice(3).map((m) => delivery(m)));
    expect(rest.acked).toHaveLength(3); // skipped, not run
    expect(runner.generateCalls).toHaveLength(3);

    const batch = await getBatch(edge, key, created.id);
    expect(batch).toMatchObject({ status: "cancelled", request_counts: { total: 6, completed: 3, failed: 3 } });
    expect(batch.cancelled_at).toBeGreaterThanOrEqual(batch.cancelling_at);
    expect((await jsonl(edge, key, created.id, "output")).map((l) => l.custom_id).sort()).toEqual(["r1", "r2", "r3"]);
    const errors = await jsonl(edge, key, created.id, "errors");
    expect(errors.map((l) => l.custom_id).sort()).toEqual(["later-1", "later-2", "later-3"]);
    expect(errors[0]).toMatchObject({ response: null, error: { code: "batch_cancelled" } });
    expect(BatchOutputLine.safeParse(errors[0]).error).toBeUndefined();

    const again = await edge.fetch(`/v1/batches/${created.id}/cancel`, { method: "POST", key });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: "invalid_state" } });
  });

  it("invalid JSONL lines are reported with their line numbers", async () => {
    const { edge, key } = await setup();
    const good = JSON.stringify(line("one"));
    const text = [
      good,
      "",
      "{not json",
      JSON.stringify({ ...line("x"), custom_id: undefined }),
      JSON.stringify(line("one")),
      JSON.stringify({
        ...line("asst"),
        body: { model: "mmgpt-tiny", messages: [{ role: "assistant", content: "hi" }] },
      }),
      JSON.stringify({ ...line("stream"), body: { ...line("s").body, stream: true } }),
      good.replace('"one"', '"two"'),
    ].join("\n");
    const form = new FormData();
    form.append("purpose", "batch");
    form.append("file", new File([text], "bad.jsonl"));
    const file = (await (await edge.fetch("/v1/files", { method: "POST", key, body: form })).json()) as Loose;
    const res = await createBatch(edge, key, { input_file_id: file.id });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as Loose;
    expect(error).toMatchObject({ type: "invalid_request_error", code: "invalid_request_error", param: "line 3" });
    for (const n of [3, 4, 5, 6, 7]) expect(error.message).toContain(`line ${n}:`);
    expect(error.message).not.toContain("line 1:");
    expect(error.message).not.toContain("line 8:");
    expect(error.message).toContain('"one" is also on line 1');
    expect(edge.batchQueue.all).toHaveLength(0);

    const inline = await createBatch(edge, key, { requests: [line("a"), line("a")] });
    expect(inline.status).toBe(400);
    expect(await inline.json()).toMatchObject({ error: { param: "requests.1.custom_id" } });
    const order = await createBatch(edge, key, {
      requests: [{ ...line("b"), body: { model: "m", messages: [{ role: "assistant", content: "x" }] } }],
    });
    expect(await order.json()).toMatchObject({ error: { param: "requests.0.body.messages" } });
    const vision = new FormData();
    vision.append("purpose", "vision");
    vision.append("file", new File([await png(4, 4)], "x.png", { type: "image/png" }));
    const img = (await (await edge.fetch("/v1/files", { method: "POST", key, body: vision })).json()) as Loose;
    const wrong = await createBatch(edge, key, { input_file_id: img.id });
    expect(await wrong.json()).toMatchObject({ error: { param: "input_file_id" } });
  });

  it("a POST body above the file limit is refused before it is read whole", async () => {
    const { edge, key } = await setup();
    const chunk = new Uint8Array(1024 * 1024).fill(32);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ > 52) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await edge.fetch("/v1/batches", {
      method: "POST",
      key,
      body,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "payload_too_large" } });
  });

  it("another account can neither see nor cancel the batch", async () => {
    const { edge, key } = await setup();
    const other = await edge.newKey();
    const created = await createInline(edge, key, lines(2));
    for (const [path, method] of [
      [`/v1/batches/${created.id}`, "GET"],
      [`/v1/batches/${created.id}/cancel`, "POST"],
      [`/v1/batches/${created.id}/output`, "GET"],
      [`/v1/batches/${created.id}/errors`, "GET"],
    ] as const) {
      const res = await edge.fetch(path, { method, key: other.key });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
    }
    expect(((await (await edge.fetch("/v1/batches", { key: other.key })).json()) as Loose).data).toEqual([]);
    const mine = (await (await edge.fetch("/v1/batches", { key })).json()) as Loose;
    expect(mine.data.map((b: Loose) => b.id)).toEqual([created.id]);
    expect((await getBatch(edge, key, created.id)).status).toBe("in_progress");
  });

  it("a batch whose requests cannot be queued fails as a whole, with its errors", async () => {
    const broken = { sendBatch: async () => Promise.reject(new Error("queue down")) } as unknown as Queue<never>;
    const edge = new Edge({ env: { BATCH_QUEUE: broken } });
    const { key } = await edge.newKey();
    const batch = await createInline(edge, key, lines(2));
    expect(batch).toMatchObject({
      status: "failed",
      errors: { object: "list", data: [{ code: "queue_failed", line: null }] },
      request_counts: { total: 2, completed: 0, failed: 2 },
    });
    expect(batch.failed_at).toBeGreaterThan(0);
    expect((await jsonl(edge, key, batch.id, "errors")).map((l) => l.error.code)).toEqual([
      "batch_failed",
      "batch_failed",
    ]);
  });

  it("a batch past its window expires: the rest is written as batch_expired errors", async () => {
    const { edge, key } = await setup();
    const created = await createInline(edge, key, lines(4));
    const sent = edge.batchQueue.take();
    await edge.runBatchQueue([delivery(sent[0])]);
    const stub = stubOf(created.id);
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE batch SET expires_at = ?", Math.floor(Date.now() / 1000) - 1);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const batch = await getBatch(edge, key, created.id);
    expect(batch).toMatchObject({ status: "expired", request_counts: { total: 4, completed: 1, failed: 3 } });
    expect(batch.expired_at).toBeGreaterThan(0);
    const errors = await jsonl(edge, key, created.id, "errors");
    expect(errors.map((l) => l.error.code)).toEqual(["batch_expired", "batch_expired", "batch_expired"]);
    // Late messages are skipped.
    const late = await edge.runBatchQueue(sent.slice(1).map((m) => delivery(m)));
    expect(late.acked).toHaveLength(3);
    expect(await jsonl(edge, key, created.id, "output")).toHaveLength(1);
  });
});
