// Several runners: a conversation sticks to its rendezvous winner turn after turn and fails
// over to the next runner when the winner is down; stateless requests avoid a busy runner.
import { describe, expect, it } from "vitest";
import { rendezvousOrder } from "../src/runner/rendezvous";
import { chatBody, Edge, type Loose } from "./helpers/edge";
import { done, FakeRunners, gate, ndjson } from "./helpers/fake-runner";
import { dataUrl, png } from "./helpers/images";

const URLS = ["http://runner-a.test", "http://runner-b.test", "http://runner-c.test"];

function generateCounts(runners: FakeRunners) {
  return URLS.map((url) => runners.get(url).generateCalls.length);
}

describe("runner routing", () => {
  it("sends every turn of a conversation to its rendezvous runner, and fails over when it is down", async () => {
    const runners = new FakeRunners(URLS);
    const edge = new Edge({ runners });
    const { key } = await edge.newKey();
    const conv = (await (await edge.fetch("/v1/conversations", { method: "POST", key, json: {} })).json()) as {
      id: string;
    };
    const [first, second] = rendezvousOrder(URLS, conv.id);
    for (let i = 0; i < 3; i++) {
      // The first turn brings an image: after failover the new runner must get it from R2.
      const content = i === 0 ? [{ type: "image_url", image_url: { url: dataUrl(await png(9, 9)) } }] : `t${i}`;
      const res = await edge.fetch(`/v1/conversations/${conv.id}/messages`, { method: "POST", key, json: { content } });
      expect(res.status).toBe(200);
    }
    expect(runners.get(first).generateCalls).toHaveLength(4); // 3 turns + 1 image_missing round

    runners.get(first).up = false;
    const res = await edge.fetch(`/v1/conversations/${conv.id}/messages`, {
      method: "POST",
      key,
      json: { content: "t3" },
    });
    expect(res.status).toBe(200);
    expect(runners.get(second).generateCalls).toHaveLength(2); // 409 image_missing, then the retry
    expect(runners.get(second).images.size).toBe(1);
    expect(runners.get(second).generateCalls[0].turns).toHaveLength(7); // the whole history moved along

    for (const url of URLS) runners.get(url).up = false;
    const down = await edge.fetch(`/v1/conversations/${conv.id}/messages`, {
      method: "POST",
      key,
      json: { content: "x" },
    });
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBeTruthy();
  });

  it("fails over on a runner answering 503 overloaded", async () => {
    const runners = new FakeRunners(URLS.slice(0, 2));
    const edge = new Edge({ runners });
    const { key } = await edge.newKey();
    runners.get(URLS[0]).generate = () =>
      Response.json({ error: { code: "overloaded", message: "full" } }, { status: 503 });
    runners.get(URLS[1]).generate = () =>
      Response.json({ error: { code: "overloaded", message: "full" } }, { status: 503 });
    const busy = await edge.fetch("/v1/chat/completions", { method: "POST", key, json: chatBody("hi") });
    expect(busy.status).toBe(503);
    runners.get(URLS[1]).generate = () => Response.json(done("from b"));
    for (let i = 0; i < 4; i++) {
      const res = await edge.fetch("/v1/chat/completions", { method: "POST", key, json: chatBody("hi") });
      expect(((await res.json()) as Loose).choices[0].message.content).toBe("from b");
    }
  });

  it("sends stateless requests to the least loaded runner", async () => {
    const runners = new FakeRunners(URLS);
    const edge = new Edge({ runners });
    const { key } = await edge.newKey();
    const hold = gate();
    for (const url of URLS) {
      runners.get(url).generate = (_req, signal) =>
        ndjson([{ type: "start", prompt_tokens: 1, cached_tokens: 0 }, hold.promise, done("ok")], signal);
    }
    const streams = [];
    for (let i = 0; i < 3; i++) {
      const res = await edge.fetch("/v1/chat/completions", {
        method: "POST",
        key,
        json: chatBody("hi", { stream: true }),
      });
      expect(res.status).toBe(200);
      streams.push(res);
    }
    // Three generations in flight on three runners: each got exactly one.
    expect(generateCounts(runners)).toEqual([1, 1, 1]);
    hold.open();
    await Promise.all(streams.map((r) => r.text()));
    await edge.settle();
  });
});
