// Runner failures on a stateless chat, mapped to the public errors: unreachable → 503 with
// Retry-After, overloaded → 503, 5xx or garbage → 502, context too long → 400, silence → 504,
// and each way the image handshake can break (a failed upload, a malformed or repeated 409).
import { describe, expect, it } from "vitest";
import { chatBody, Edge, sseData } from "./helpers/edge";
import { FakeRunners, ndjson, runnerError } from "./helpers/fake-runner";
import { dataUrl, png } from "./helpers/images";

async function setup(options: ConstructorParameters<typeof Edge>[0] = {}) {
  const edge = new Edge(options);
  const { key } = await edge.newKey();
  const chat = (body: unknown, headers: Record<string, string> = {}) =>
    edge.fetch("/v1/chat/completions", { method: "POST", key, json: body, headers });
  return { edge, chat, runner: [...edge.runners.byUrl.values()][0]! };
}

/** A runner of its own: the tests that freeze one get it marked unhealthy in this isolate. */
const ownRunner = (name: string) => new FakeRunners([`http://${name}.test`]);

describe("runner failures", () => {
  it("unreachable runner → 503 runner_unavailable with Retry-After", async () => {
    const { chat, runner } = await setup();
    runner.up = false;
    const res = await chat(chatBody("Hi"), { "x-request-id": "req_down" });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(res.headers.get("x-should-retry")).toBe("true");
    expect(await res.json()).toMatchObject({
      error: { code: "runner_unavailable", type: "server_error", request_id: "req_down" },
    });
  });

  it.each([
    ["503 overloaded", 503, "runner_unavailable", () => runnerError(503, "overloaded", "full", { "retry-after": "7" })],
    ["500 internal", 502, "internal_error", () => runnerError(500, "internal", "boom")],
    ["400 context_length_exceeded", 400, "context_length_exceeded", () => runnerError(400, "context_length_exceeded")],
    ["404 model_not_found", 404, "model_not_found", () => runnerError(404, "model_not_found")],
    ["a malformed result", 502, "internal_error", () => Response.json({ nope: true })],
  ])("runner %s → %i %s", async (_name, status, code, answer) => {
    const { chat, runner } = await setup();
    runner.generate = answer;
    const res = await chat(chatBody("Hi"));
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    if (status === 503) expect(res.headers.get("retry-after")).toBe("7");
  });

  it("a runner that does not answer in time → 504 runner_timeout", async () => {
    const { chat, runner } = await setup({ runners: ownRunner("no-headers"), env: { RUNNER_TIMEOUT_MS: "50" } });
    runner.generate = (_req, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
    const res = await chat(chatBody("Hi"));
    expect(res.status).toBe(504);
    // The same request would wait as long again: the openai client must not retry it.
    expect(res.headers.get("x-should-retry")).toBe("false");
    expect(await res.json()).toMatchObject({ error: { code: "runner_timeout", type: "server_error" } });
  });

  it("a stream that goes silent → runner_timeout error event", async () => {
    const { edge, chat, runner } = await setup({ runners: ownRunner("silent"), env: { RUNNER_STALL_MS: "50" } });
    runner.generate = (_req, signal) => ndjson([{ type: "delta", text: "x" }, new Promise(() => {})], signal);
    const events = sseData(await (await chat(chatBody("Hi", { stream: true }))).text());
    expect(events.at(-1)).toMatchObject({ error: { code: "runner_timeout" } });
    await edge.settle();
  });

  describe("the image handshake", () => {
    const withImage = async () =>
      chatBody([
        { type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url: dataUrl(await png(32, 32)) } },
      ]);
    const calls = (runner: { calls: { method: string; path: string }[] }) =>
      runner.calls.map((c) => `${c.method} ${c.path.replace(/[0-9a-f]{64}/, "<sha>")}`);

    it("a runner still lacking the image after its upload → 502, and no third attempt", async () => {
      const { chat, runner } = await setup();
      runner.putImage = () => new Response(null, { status: 204 }); // accepted, then evicted at once
      const res = await chat(await withImage());
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({
        error: { code: "internal_error", message: "The model runner still lacks an image after it was uploaded." },
      });
      expect(calls(runner)).toEqual([
        "POST /internal/v1/generate",
        "PUT /internal/v1/images/<sha>",
        "POST /internal/v1/generate",
      ]);
    });

    it.each([
      ["without the missing list", () => Response.json({ error: { code: "image_missing" } }, { status: 409 })],
      ["that is not JSON", () => new Response("conflict", { status: 409 })],
      [
        "listing something other than hashes",
        () => Response.json({ error: { code: "image_missing", missing: ["../../etc"] } }, { status: 409 }),
      ],
    ])("a 409 image_missing answer %s → 502 malformed, nothing uploaded", async (_name, answer) => {
      const { chat, runner } = await setup();
      runner.checkImages = false;
      runner.generate = answer;
      const res = await chat(await withImage());
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({
        error: { code: "internal_error", message: "The model runner sent a malformed image_missing answer." },
      });
      expect(calls(runner)).toEqual(["POST /internal/v1/generate"]);
    });

    it.each([
      ["500", 502, "internal_error", () => runnerError(500, "internal", "disk full")],
      [
        "503 overloaded",
        503,
        "runner_unavailable",
        () => runnerError(503, "overloaded", "busy", { "retry-after": "9" }),
      ],
    ])("a failed image upload (%s) → %i %s, and no generation", async (_name, status, code, answer) => {
      const { chat, runner } = await setup();
      runner.putImage = answer;
      const res = await chat(await withImage());
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
      if (status === 503) expect(res.headers.get("retry-after")).toBe("9");
      expect(calls(runner)).toEqual(["POST /internal/v1/generate", "PUT /internal/v1/images/<sha>"]);
    });
  });
});
