// Runner failures on a stateless chat, mapped to the public errors: unreachable → 503 with
// Retry-After, overloaded → 503, 5xx or garbage → 502, context too long → 400, silence → 504.
import { describe, expect, it } from "vitest";
import { chatBody, Edge, sseData } from "./helpers/edge";
import { ndjson, runnerError } from "./helpers/fake-runner";

async function setup(options: ConstructorParameters<typeof Edge>[0] = {}) {
  const edge = new Edge(options);
  const { key } = await edge.newKey();
  const chat = (body: unknown, headers: Record<string, string> = {}) =>
    edge.fetch("/v1/chat/completions", { method: "POST", key, json: body, headers });
  return { edge, chat, runner: edge.runners.get() };
}

describe("runner failures", () => {
  it("unreachable runner → 503 runner_unavailable with Retry-After", async () => {
    const { chat, runner } = await setup();
    runner.up = false;
    const res = await chat(chatBody("Hi"), { "x-request-id": "req_down" });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({
      error: { code: "runner_unavailable", type: "api_error", request_id: "req_down" },
    });
  });

  it.each([
    [
      "503 overloaded",
      () => runnerError(503, "overloaded", "queue full", { "retry-after": "7" }),
      503,
      "runner_unavailable",
    ],
    ["500 internal", () => runnerError(500, "internal", "boom"), 502, "internal_error"],
    [
      "400 context_length_exceeded",
      () => runnerError(400, "context_length_exceeded", "2100 > 2048"),
      400,
      "context_length_exceeded",
    ],
    ["404 model_not_found", () => runnerError(404, "model_not_found"), 404, "not_found"],
    ["a malformed result", () => Response.json({ nope: true }), 502, "internal_error"],
  ])("runner %s → %i %s", async (_name, answer, status, code) => {
    const { chat, runner } = await setup();
    runner.generate = answer;
    const res = await chat(chatBody("Hi"));
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    if (status === 503) expect(res.headers.get("retry-after")).toBe("7");
  });

  it("a runner that does not answer in time → 504 runner_timeout", async () => {
    const { chat, runner } = await setup({ env: { RUNNER_TIMEOUT_MS: "50" } });
    runner.generate = (_req, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
    const res = await chat(chatBody("Hi"));
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("runner_timeout");
  });

  it("a stream that goes silent → runner_timeout error event", async () => {
    const { edge, chat, runner } = await setup({ env: { RUNNER_TIMEOUT_MS: "50" } });
    runner.generate = (_req, signal) => ndjson([{ type: "delta", text: "x" }, new Promise(() => {})], signal);
    const events = sseData(await (await chat(chatBody("Hi", { stream: true }))).text());
    expect(events.at(-1)).toMatchObject({ error: { code: "runner_timeout" } });
    await edge.settle();
  });
});
