// Batches: each method's request, and results/errors JSONL parsed line by line across chunk cuts.
import { describe, expect, it } from "vitest";
import { bodyOf, fakeClient, json, splitBytes } from "../../test/fake-fetch";

const batch = { id: "batch_1", object: "batch", status: "validating" };
const line = (custom_id: string, error: { code: string; message: string } | null = null) => ({
  id: `batch_req_${custom_id}`,
  custom_id,
  response: error ? null : { status_code: 200, request_id: "req_1", body: { id: "chatcmpl-1" } },
  error,
});

const jsonl = (lines: unknown[], size: number) =>
  new Response(bodyOf(splitBytes(`${lines.map((l) => JSON.stringify(l)).join("\n")}\n`, size)), {
    headers: { "content-type": "application/jsonl", "x-request-id": "req_dl" },
  });

describe("batches", () => {
  it("create, retrieve, cancel and list hit their method and path", async () => {
    const body = {
      endpoint: "/v1/chat/completions" as const,
      completion_window: "24h" as const,
      requests: [
        {
          custom_id: "a",
          method: "POST" as const,
          url: "/v1/chat/completions" as const,
          body: { model: "mmgpt-tiny", messages: [{ role: "user" as const, content: "Hi" }] },
        },
      ],
    };
    const list = { object: "list", data: [batch], has_more: false, first_id: "batch_1", last_id: "batch_1" };
    const { client, requests } = fakeClient([json(batch), json(batch), json(batch), json(list)]);
    await client.batches.create(body);
    await client.batches.retrieve("batch_1");
    await client.batches.cancel("batch_1");
    expect((await client.batches.list().page()).data).toHaveLength(1);
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      "POST /v1/batches",
      "GET /v1/batches/batch_1",
      "POST /v1/batches/batch_1/cancel",
      "GET /v1/batches",
    ]);
    expect(await requests[0]!.json()).toEqual(body);
    expect(requests[2]!.headers.get("idempotency-key")).toBeTruthy();
  });

  it.each([1, 7, 4096])("results parses JSONL line by line (chunks of %i bytes)", async (size) => {
    const lines = [line("a"), line("b"), line("ü")];
    const { client, requests } = fakeClient([jsonl(lines, size)]);
    const stream = await client.batches.results("batch_1");
    const seen = [];
    for await (const item of stream) seen.push(item);
    expect(seen).toEqual(lines);
    expect(stream.requestId).toBe("req_dl");
    expect(new URL(requests[0]!.url).pathname).toBe("/v1/batches/batch_1/output");
    expect(requests[0]!.headers.get("accept")).toBe("application/jsonl");
  });

  it("errors yields the failed lines, whose `error` is data, not a thrown error", async () => {
    const lines = [line("c", { code: "expired", message: "Batch expired." })];
    const { client, requests } = fakeClient([jsonl(lines, 3)]);
    const seen = [];
    for await (const item of await client.batches.errors("batch_1")) seen.push(item);
    expect(seen).toEqual(lines);
    expect(new URL(requests[0]!.url).pathname).toBe("/v1/batches/batch_1/errors");
  });
});
