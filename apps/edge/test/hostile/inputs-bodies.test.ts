// Issue #15 item 3, edge side: every route caps its request body (413 in the one envelope,
// documented in the contract), whether the size is declared or the body is streamed; a chat or
// conversation request of unbounded text never reaches a runner; client errors stay 4xx.
import { buildOpenApiDocument, LIMITS } from "@mmgpt/schema";
import { describe, expect, it } from "vitest";
import { MAX_FORWARDED_CHARS } from "../../src/runner/forward-history";
import { bigDataUrl, sized } from "../helpers/big-images";
import { ADMIN_TOKEN, chatBody, Edge, type Loose, sseData } from "../helpers/edge";
import { done, ndjson, runnerError } from "../helpers/fake-runner";

/**
 * `total` bytes of a JSON chat request made of plain text parts, streamed in 1 MB chunks with
 * no Content-Length; `pulled` says how much of it the edge read.
 */
function streamedTextChat(total: number): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  const encoder = new TextEncoder();
  const head = encoder.encode('{"model":"mmgpt-tiny","messages":[{"role":"user","content":[');
  const part = encoder.encode(`${JSON.stringify({ type: "text", text: "lorem ipsum ".repeat(2000) })},`);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const chunk = new Uint8Array(1 << 20);
      let at = 0;
      if (sent === 0) {
        chunk.set(head);
        at = head.length;
      }
      for (; at + part.length <= chunk.length; at += part.length) chunk.set(part, at);
      sent += chunk.length;
      controller.enqueue(chunk.subarray(0, at));
    },
  });
  return { body, pulled: () => sent };
}

async function envelope(res: Response) {
  const body = (await res.json()) as Loose;
  return { status: res.status, code: body.error?.code, requestId: body.error?.request_id };
}

async function setup() {
  const edge = new Edge();
  const { key } = await edge.newKey();
  return { edge, key, runner: edge.runners.get() };
}

describe("request body limits (issue #15 item 3)", () => {
  it("refuses a 40 MB chat of text parts streamed without a length, reading no more than the cap", async () => {
    const { edge, key, runner } = await setup();
    const big = streamedTextChat(40 << 20);
    const res = await edge.fetch("/v1/chat/completions", {
      method: "POST",
      key,
      body: big.body,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    expect(await envelope(res)).toMatchObject({ status: 413, code: "payload_too_large", requestId: /^req_/ });
    expect(big.pulled()).toBeLessThanOrEqual(LIMITS.maxGenerationBodyBytes + (1 << 20));
    expect(runner.calls).toEqual([]);
  });

  it("refuses a declared oversize body on chat and conversation messages before reading it", async () => {
    const { edge, key, runner } = await setup();
    const conv = (await (await edge.fetch("/v1/conversations", { method: "POST", key, json: {} })).json()) as Loose;
    for (const path of ["/v1/chat/completions", `/v1/conversations/${conv.id}/messages`]) {
      const big = streamedTextChat(40 << 20);
      const res = await edge.fetch(path, {
        method: "POST",
        key,
        body: big.body,
        headers: { "content-type": "application/json", "content-length": String(40 << 20) },
        duplex: "half",
      } as RequestInit);
      expect(await envelope(res)).toMatchObject({ status: 413, code: "payload_too_large" });
      expect(big.pulled()).toBeLessThanOrEqual(2 << 20); // at most what the stream buffers ahead
    }
    expect(runner.generateCalls).toEqual([]);
  });

  it("caps the body of every other route at LIMITS.maxBodyBytes", async () => {
    const { edge, key } = await setup();
    const body = JSON.stringify({ padding: "x".repeat(LIMITS.maxBodyBytes) });
    const cases: Array<[string, string, Record<string, string>]> = [
      ["POST", "/v1/conversations/conv_abc", { authorization: `Bearer ${key}` }],
      ["POST", "/v1/webhook_endpoints", { authorization: `Bearer ${key}` }],
      ["DELETE", "/v1/files/file-abc", { authorization: `Bearer ${key}` }],
      ["POST", "/v1/admin/api_keys", { authorization: `Bearer ${ADMIN_TOKEN}` }],
      ["POST", "/v1/no-such-route", {}],
    ];
    for (const [method, path, headers] of cases) {
      // With its length declared, as clients send it: refused whether or not the route reads it.
      const res = await edge.fetch(path, {
        method,
        headers: { ...headers, "content-type": "application/json", "content-length": String(body.length) },
        body,
      });
      expect({ path, ...(await envelope(res)) }).toMatchObject({ path, status: 413, code: "payload_too_large" });
    }
    // Just under the limit is read as usual (and answered by the route).
    const ok = await edge.fetch("/v1/conversations", {
      method: "POST",
      key,
      json: { metadata: { note: "x".repeat(100) } },
    });
    expect(ok.status).toBe(200);
  });

  it("reads an inline image past 1 MiB on every route that may carry one", async () => {
    const { edge, key } = await setup();
    const image = { type: "input_image", image_url: bigDataUrl(await sized("jpeg", 1_400_000), "image/jpeg") };
    const message = { role: "user", content: [{ type: "input_text", text: "What is this?" }, image] };
    const conv = (await (await edge.fetch("/v1/conversations", { method: "POST", key, json: {} })).json()) as Loose;
    const cases: Array<[string, unknown]> = [
      ["/v1/responses", { model: "mmgpt-tiny", input: [message], max_output_tokens: 4 }],
      ["/v1/conversations", { items: [message] }],
      [`/v1/conversations/${conv.id}/items`, { items: [message] }],
      ["/v1/chat/completions", chatBody([{ type: "image_url", image_url: { url: image.image_url } }])],
    ];
    for (const [path, json] of cases) {
      expect(JSON.stringify(json).length).toBeGreaterThan(LIMITS.maxBodyBytes);
      const res = await edge.fetch(path, { method: "POST", key, json });
      expect({ path, status: res.status }, await res.clone().text()).toEqual({ path, status: 200 });
    }
  }, 120_000); // a 1.4 MB JPEG made, then decoded on four routes, on a loaded 2-core machine

  it("bounds a message's text across its parts, so a request of text parts is bounded", async () => {
    const { edge, key, runner } = await setup();
    const part = { type: "text", text: "y".repeat(LIMITS.maxTextLength) };
    const res = await edge.fetch("/v1/chat/completions", { method: "POST", key, json: chatBody([part, part]) });
    expect(await envelope(res)).toMatchObject({ status: 400, code: "invalid_request_error" });
    // The same for the Responses API's items, on a response and added to a conversation.
    const item = {
      role: "user",
      content: [
        { type: "input_text", text: part.text },
        { type: "input_text", text: part.text },
      ],
    };
    const conv = (await (await edge.fetch("/v1/conversations", { method: "POST", key, json: {} })).json()) as Loose;
    for (const [path, json] of [
      ["/v1/responses", { model: "mmgpt-tiny", input: [item] }],
      [`/v1/conversations/${conv.id}/items`, { items: [item] }],
    ] as const) {
      const refused = await edge.fetch(path, { method: "POST", key, json });
      expect({ path, ...(await envelope(refused)) }).toMatchObject({
        path,
        status: 400,
        code: "invalid_request_error",
      });
    }
    expect(runner.calls).toEqual([]);
  });

  it('forwards at most MAX_FORWARDED_CHARS of a long conversation under truncation "auto", counting what stays back', async () => {
    // The token bucket would charge each turn its forwarded characters: room for two such turns.
    const edge = new Edge({ env: { TOKEN_LIMIT_BURST: "10000000" } });
    const { key } = await edge.newKey();
    const runner = edge.runners.get();
    runner.generate = (req) => {
      const last = { ...done("Fine."), dropped_exchanges: 2 };
      return req.stream ? ndjson([{ type: "start", prompt_tokens: 9, cached_tokens: 0 }, last]) : Response.json(last);
    };
    const conv = (await (await edge.fetch("/v1/conversations", { method: "POST", key, json: {} })).json()) as Loose;
    // 40 exchanges of 32,768-character messages: 2.6 M characters, more than a runner reads.
    const long = (i: number) => `${i} ${"z".repeat(LIMITS.maxTextLength - 8)}`;
    for (let batch = 0; batch < 4; batch++) {
      const items = Array.from({ length: 20 }, (_, k) => ({
        role: k % 2 === 0 ? "user" : "assistant",
        content: long(batch * 20 + k),
      }));
      const added = await edge.fetch(`/v1/conversations/${conv.id}/items`, { method: "POST", key, json: { items } });
      expect(added.status).toBe(200);
    }
    const send = (json: object) => edge.fetch(`/v1/conversations/${conv.id}/messages`, { method: "POST", key, json });

    const reply = (await (await send({ content: "And now?" })).json()) as Loose;
    const call = runner.generateCalls.at(-1)!;
    const chars = call.turns.reduce((n, t) => n + t.text.length, call.system?.length ?? 0);
    expect(chars).toBeLessThanOrEqual(MAX_FORWARDED_CHARS);
    expect(chars).toBeGreaterThan(MAX_FORWARDED_CHARS - 2 * LIMITS.maxTextLength); // only what had to go
    expect(call.turns.at(-1)).toMatchObject({ role: "user", text: "And now?" });
    expect(call.turns[0]).toMatchObject({ role: "user" });
    const keptBack = 40 - (call.turns.length - 1) / 2;
    expect(keptBack).toBeGreaterThan(0);
    expect(reply.dropped_exchanges).toBe(keptBack + 2);
    // Streamed, the committed message says the same.
    const streamed = sseData(await (await send({ content: "And now?", stream: true })).text()) as Loose[];
    const keptBackNow = 41 - (runner.generateCalls.at(-1)!.turns.length - 1) / 2; // 41: the first reply joined
    expect(keptBackNow).toBeGreaterThan(0);
    expect(streamed.find((e) => e.object === "conversation.message")).toMatchObject({
      dropped_exchanges: keptBackNow + 2,
    });

    // "disabled" forwards it all: the runner decides (and refuses what does not fit).
    runner.generate = () => runnerError(400, "context_length_exceeded");
    const refused = await send({ content: "And now?", truncation: "disabled" });
    expect(await envelope(refused)).toMatchObject({ status: 400, code: "context_length_exceeded" });
    expect(runner.generateCalls.at(-1)!.turns).toHaveLength(85);
  }, 60_000);

  it("documents the 413 on every operation of the contract", () => {
    const doc = buildOpenApiDocument() as Loose;
    const missing: string[] = [];
    for (const [path, item] of Object.entries<Loose>(doc.paths)) {
      for (const [method, operation] of Object.entries<Loose>(item)) {
        if (!operation?.responses) continue;
        if (!operation.responses["413"]) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
