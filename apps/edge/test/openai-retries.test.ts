// The unchanged `openai` client's retry policy against the edge: it retries every 409 and 5xx
// unless told `x-should-retry: false`, so a busy conversation and a runner timeout (where a retry
// cannot help) are tried once, while a failed runner (502, where another try may work) is retried.
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { chatBody, Edge } from "./helpers/edge";
import { done, gate, ndjson } from "./helpers/fake-runner";

function openai(edge: Edge, key: string) {
  const attempts: string[] = [];
  const client = new OpenAI({
    apiKey: key,
    baseURL: "https://edge.test/v1",
    maxRetries: 1,
    fetch: async (url, init) => {
      attempts.push(new URL(String(url)).pathname);
      const headers = new Headers(init?.headers);
      headers.delete("authorization"); // Edge.fetch sets it from `key`
      return edge.fetch(new URL(String(url)).pathname, { ...init, headers, key });
    },
  });
  return { client, attempts };
}

describe("the openai client's retries", () => {
  it("tries a runner timeout (504) once", async () => {
    const edge = new Edge({ env: { RUNNER_TIMEOUT_MS: "50" } });
    const { key } = await edge.newKey();
    edge.runners.get().generate = (_req, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
    const { client, attempts } = openai(edge, key);
    await expect(client.chat.completions.create(chatBody("Hi") as never)).rejects.toMatchObject({
      status: 504,
      code: "runner_timeout",
    });
    expect(attempts).toHaveLength(1);
  });

  it("tries a busy conversation (409) once", async () => {
    const edge = new Edge();
    const { key } = await edge.newKey();
    const hold = gate();
    edge.runners.get().generate = (_req, signal) =>
      ndjson([{ type: "delta", text: "slow" }, hold.promise, done("slow")], signal);
    const conv = (await (await edge.fetch("/v1/conversations", { method: "POST", key, json: {} })).json()) as {
      id: string;
    };
    const first = await edge.fetch(`/v1/conversations/${conv.id}/messages`, {
      method: "POST",
      key,
      json: { content: "one", stream: true },
    });
    expect(first.status).toBe(200);
    const { client, attempts } = openai(edge, key);
    await expect(client.post(`/conversations/${conv.id}/messages`, { body: { content: "two" } })).rejects.toMatchObject(
      {
        status: 409,
        code: "conversation_busy",
      },
    );
    expect(attempts).toHaveLength(1);
    hold.open();
    await first.text();
    await edge.settle();
  });

  it("retries a failed runner (502), where another try may succeed", async () => {
    const edge = new Edge();
    const { key } = await edge.newKey();
    let calls = 0;
    edge.runners.get().generate = () =>
      ++calls === 1 ? new Response("boom", { status: 500 }) : Response.json(done("Hello"));
    const { client, attempts } = openai(edge, key);
    const reply = await client.chat.completions.create(chatBody("Hi") as never);
    expect(reply.choices[0]!.message.content).toBe("Hello");
    expect(attempts).toHaveLength(2);
  });
});
