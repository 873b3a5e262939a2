// Issue #15 item 9 against the real runner process: a runner frozen mid-stream (SIGSTOP, as a
// hung GPU or a paused VM looks from outside) must not hang the reply. The edge ends it with a
// runner_timeout error event once RUNNER_STALL_MS passes without a runner event, and once the
// runner is thawed (SIGCONT) it serves again. Its own stack: the stall limit is an edge variable,
// shortened here to 3 s, which the shared stack's streams must not be held to.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./stack.js";

const STALL_MS = 3_000;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack(240_000, { RUNNER_STALL_MS: String(STALL_MS) });
});

afterAll(async () => {
  // Thawed even if the test timed out while it was frozen (it may have exited since: ESRCH).
  if (stack) thaw();
  await stack?.stop();
});

function thaw(): void {
  try {
    process.kill(stack.runnerPid, "SIGCONT");
  } catch {}
}

/** The SSE data payloads of a body as they arrive, and when the body ended. */
async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (data: string) => void): Promise<number> {
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = body.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    buffer += decoder.decode(r.value, { stream: true });
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
      buffer = buffer.slice(end + 2);
      if (data !== undefined) onEvent(data);
    }
  }
  return Date.now();
}

describe("a runner frozen mid-stream (SIGSTOP)", () => {
  it("ends the reply with runner_timeout after the stall limit, and serves again once thawed", async () => {
    const chat = (body: object) =>
      fetch(`${stack.baseURL}/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "mmgpt-tiny", messages: [{ role: "user", content: "Count on." }], ...body }),
      });
    // A reply that would run for the whole budget: the end ids (EOS, <|endofchunk|>) are banned.
    const res = await chat({ stream: true, max_tokens: 1500, logit_bias: { "2": -100, "32000": -100 } });
    expect(res.status).toBe(200);

    const events: string[] = [];
    let frozenAt = 0;
    const ended = readEvents(res.body!, (data) => {
      events.push(data);
      // Frozen after the runner's first token reached the client: the reply has started.
      const delta = data.startsWith("{") ? JSON.parse(data).choices?.[0]?.delta?.content : undefined;
      if (frozenAt === 0 && delta) {
        process.kill(stack.runnerPid, "SIGSTOP");
        frozenAt = Date.now();
      }
    });
    try {
      const endedAt = await ended;
      expect(frozenAt).toBeGreaterThan(0);
      const last = JSON.parse(events.at(-1)!);
      expect(last.error).toMatchObject({ code: "runner_timeout", message: expect.stringContaining(`${STALL_MS} ms`) });
      // Ended by the stall limit, not before it, and not long after.
      expect(endedAt - frozenAt).toBeGreaterThanOrEqual(STALL_MS - 500);
      expect(endedAt - frozenAt).toBeLessThan(STALL_MS + 8_000);
    } finally {
      thaw();
    }

    const after = await chat({ max_tokens: 4 });
    expect(after.status).toBe(200);
    expect(((await after.json()) as { object: string }).object).toBe("chat.completion");
  }, 30_000);
});
