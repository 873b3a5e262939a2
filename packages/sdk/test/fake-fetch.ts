// Test doubles: a fetch that records each request and answers from a script, a client wired to
// it with a recording sleep, and builders for streamed bodies. No globals are touched.
import { MMGPT } from "../src/client";
import type { ClientOptions, Fetch } from "../src/core/options";

/**
 * One scripted answer: a response, an error to throw, or a function of the request and the
 * caller's abort signal (use that signal: undici's Request only follows it through a WeakRef,
 * so a listener on `request.signal` can be lost to garbage collection).
 */
export type Answer = Response | Error | ((request: Request, signal: AbortSignal) => Response | Promise<Response>);

export function fakeFetch(...answers: Answer[]) {
  const requests: Request[] = [];
  const fetch: Fetch = async (input, init) => {
    const request = new Request(input, init);
    requests.push(request.clone());
    const answer = answers.length > 1 ? answers.shift()! : answers[0];
    if (answer === undefined) throw new Error("fakeFetch: no answer scripted");
    if (answer instanceof Error) throw answer;
    if (typeof answer === "function") return answer(request, init?.signal ?? request.signal);
    return answer.clone();
  };
  return { fetch, requests };
}

/** A client over `answers`; `sleeps` records each retry wait (nothing actually waits). */
export function fakeClient(answers: Answer[], options: ClientOptions = {}) {
  const { fetch, requests } = fakeFetch(...answers);
  const sleeps: number[] = [];
  const client = new MMGPT({
    apiKey: "mmgpt_sk_test",
    baseURL: "https://api.test",
    fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  return { client, requests, sleeps };
}

export const json = (body: unknown, init: ResponseInit = {}) =>
  Response.json(body, { ...init, headers: { "x-request-id": "req_test", ...init.headers } });

export function errorResponse(status: number, code: string, type: string, headers: Record<string, string> = {}) {
  const error = { type, code, message: `${code} happened`, param: null, request_id: `req_${status}` };
  return Response.json({ error }, { status, headers });
}

/** A body that delivers `chunks` one by one. */
export function bodyOf(chunks: Array<string | Uint8Array>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

export const sse = (chunks: Array<string | Uint8Array>, headers: Record<string, string> = {}) =>
  new Response(bodyOf(chunks), {
    headers: { "content-type": "text/event-stream", "x-request-id": "req_stream", ...headers },
  });

/** `text` as bytes cut into pieces of `size` bytes (so cuts may fall inside a UTF-8 character). */
export function splitBytes(text: string, size: number): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.slice(i, i + size));
  return pieces;
}

/** A fetch answer that hangs until the request is aborted, then rejects like fetch does. */
export const hang = (_request: Request, signal: AbortSignal) =>
  new Promise<Response>((_, reject) => {
    signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
  });
