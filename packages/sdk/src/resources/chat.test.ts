// Chat completions, plain and streamed: request shape, chunk parsing across byte cuts, [DONE],
// text collection, usage, in-stream errors, abort and early exit.
import { describe, expect, it } from "vitest";
import { fakeClient, json, splitBytes, sse } from "../../test/fake-fetch";
import { APIError } from "../core/errors";
import { collectText } from "../helpers/collect-text";
import type { ChatCompletionChunk } from "../types";

const messages = [{ role: "user" as const, content: "Describe the image." }];
const usage = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12, prompt_tokens_details: { cached_tokens: 0 } };

function chunk(delta: ChatCompletionChunk["choices"][number]["delta"], finish: "stop" | null = null) {
  return {
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "mmgpt-tiny",
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  };
}

const CHUNKS = [
  chunk({ role: "assistant", content: "" }),
  chunk({ content: "Une chatte " }),
  chunk({ content: "rousse 🐈 " }),
  chunk({ content: "dort." }),
  chunk({}, "stop"),
  { ...chunk({}), choices: [], usage },
];
const BODY = `${CHUNKS.map((c) => `data: ${JSON.stringify(c)}\n\n`).join(": keep-alive\n\n")}data: [DONE]\n\n`;

describe("chat.completions.create", () => {
  it("POSTs the body as JSON and returns the completion", async () => {
    const completion = { id: "chatcmpl-1", object: "chat.completion", choices: [] };
    const { client, requests } = fakeClient([json(completion)]);
    const result = await client.chat.completions.create({ model: "mmgpt-tiny", messages, max_tokens: 16 });
    expect(result).toEqual(completion);
    const request = requests[0]!;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("https://api.test/v1/chat/completions");
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(request.headers.get("accept")).toBe("application/json");
    expect(await request.json()).toEqual({ model: "mmgpt-tiny", messages, max_tokens: 16 });
  });

  it.each([1, 3, 17, 64])("streams chunks split every %i bytes and collects the text", async (size) => {
    const { client, requests } = fakeClient([sse(splitBytes(BODY, size))]);
    const stream = await client.chat.completions.create({
      model: "mmgpt-tiny",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(requests[0]!.headers.get("accept")).toBe("text/event-stream");
    expect(stream.requestId).toBe("req_stream");
    expect(await stream.text()).toBe("Une chatte rousse 🐈 dort.");
    expect(stream.finalUsage).toEqual(usage);
    expect(stream.finishReason).toBe("stop");
  });

  it("yields each chunk in order and stops at [DONE]", async () => {
    const trailing = `${BODY}data: ${JSON.stringify(chunk({ content: "after done" }))}\n\n`;
    const { client } = fakeClient([sse([trailing])]);
    const stream = await client.chat.completions.create({ model: "mmgpt-tiny", messages, stream: true });
    const seen = [];
    for await (const item of stream) seen.push(item);
    expect(seen).toEqual(CHUNKS);
  });

  it("collectText works on any iterable of chunks", async () => {
    const { client } = fakeClient([sse([BODY])]);
    const stream = await client.chat.completions.create({ model: "mmgpt-tiny", messages, stream: true });
    expect(await collectText(stream)).toBe("Une chatte rousse 🐈 dort.");
  });

  it("throws an error envelope sent inside the stream", async () => {
    const envelope = {
      error: { type: "server_error", code: "runner_timeout", message: "slow", param: null, request_id: "req_9" },
    };
    const body = `data: ${JSON.stringify(CHUNKS[1])}\n\ndata: ${JSON.stringify(envelope)}\n\n`;
    const { client } = fakeClient([sse([body])]);
    const stream = await client.chat.completions.create({ model: "mmgpt-tiny", messages, stream: true });
    const error = await stream.text().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ code: "runner_timeout", requestId: "req_9" });
  });

  /** A stream that sends one chunk, then stays open until the request is aborted, like fetch. */
  function openStream(_request: Request, signal: AbortSignal) {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`data: ${JSON.stringify(CHUNKS[1])}\n\n`));
        signal.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  }

  it("with n > 1, text() is choice 0's and texts() gives every choice's", async () => {
    const at = (index: number, content: string) => ({
      ...chunk({ content }),
      choices: [{ ...chunk({ content }).choices[0], index }],
    });
    const body = `${[at(0, "A "), at(1, "The "), at(0, "cat"), at(1, "dog")].map((c) => `data: ${JSON.stringify(c)}\n\n`).join("")}data: [DONE]\n\n`;
    const { client } = fakeClient([sse([body]), sse([body])]);
    const create = () => client.chat.completions.create({ model: "mmgpt-tiny", messages, n: 2, stream: true });
    expect(await (await create()).text()).toBe("A cat");
    expect(await (await create()).texts()).toEqual(["A cat", "The dog"]);
  });

  it("stops quietly when aborted mid-stream", async () => {
    const { client } = fakeClient([openStream]);
    const stream = await client.chat.completions.create({ model: "mmgpt-tiny", messages, stream: true });
    const seen: string[] = [];
    for await (const item of stream) {
      seen.push(item.choices[0]?.delta.content ?? "");
      stream.controller.abort();
    }
    expect(seen).toEqual(["Une chatte "]);
  });

  it("stops when the caller's signal aborts mid-stream", async () => {
    const { client } = fakeClient([openStream]);
    const caller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: "mmgpt-tiny", messages, stream: true },
      { signal: caller.signal },
    );
    const seen: string[] = [];
    for await (const item of stream) {
      seen.push(item.choices[0]?.delta.content ?? "");
      caller.abort();
    }
    expect(seen).toEqual(["Une chatte "]);
    expect(stream.controller.signal.aborted).toBe(true);
  });

  it("closes the connection when the loop breaks early", async () => {
    const { client } = fakeClient([openStream]);
    const stream = await client.chat.completions.create({ model: "mmgpt-tiny", messages, stream: true });
    for await (const _ of stream) break;
    expect(stream.controller.signal.aborted).toBe(true);
  });

  it("can be iterated only once", async () => {
    const { client } = fakeClient([sse([BODY])]);
    const stream = await client.chat.completions.create({ model: "mmgpt-tiny", messages, stream: true });
    await stream.text();
    await expect(stream.text()).rejects.toThrow(/only once/);
  });
});
