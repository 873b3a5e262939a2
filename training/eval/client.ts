// Asks the running stack through the official `openai` client: plain greedy decoding
// (temperature 0; the top_k / num_beams extensions stay at their defaults, which greedy ignores),
// a bounded number of requests in flight, no silent retries.
import OpenAI from "openai";
import type { Message } from "./dataset";

export interface AskOptions {
  model: string;
  maxTokens: number;
}

export interface Reply {
  text: string;
  finishReason: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  ms: number;
  /** The request failed with this API error ("400 messages.0.content: …"); the answer counts as wrong. */
  error: string | null;
  /** The edge's x-ratelimit-limit header (the key's burst): shows the eval was not throttled. */
  rateLimit: number | null;
}

/** A failure that makes the rest of the run meaningless (the stack is gone, or throttles us). */
export class StackError extends Error {
  override name = "StackError";
}

export function evalClient(baseURL: string, apiKey: string): OpenAI {
  // maxRetries 0: a retried 429 or 503 would hide that the stack throttled or overloaded.
  return new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 600_000 });
}

export async function ask(client: OpenAI, messages: Message[], opts: AskOptions): Promise<Reply> {
  const t0 = performance.now();
  try {
    const { data, response } = await client.chat.completions
      .create({ model: opts.model, messages, temperature: 0, max_tokens: opts.maxTokens })
      .withResponse();
    const limit = response.headers.get("x-ratelimit-limit");
    return {
      text: data.choices[0]?.message.content ?? "",
      finishReason: data.choices[0]?.finish_reason ?? null,
      promptTokens: data.usage?.prompt_tokens ?? null,
      completionTokens: data.usage?.completion_tokens ?? null,
      ms: performance.now() - t0,
      error: null,
      rateLimit: limit === null ? null : Number(limit),
    };
  } catch (error) {
    if (error instanceof OpenAI.APIConnectionError)
      throw new StackError(`the stack stopped answering: ${error.message}`);
    if (error instanceof OpenAI.RateLimitError)
      throw new StackError(
        `throttled (429: ${error.message}); the eval raises RATE_LIMIT_* through CLOUDFLARE_INCLUDE_PROCESS_ENV, ` +
          "which a .dev.vars file in the repository root overrides",
      );
    if (!(error instanceof OpenAI.APIError)) throw error;
    return {
      text: "",
      finishReason: null,
      promptTokens: null,
      completionTokens: null,
      ms: performance.now() - t0,
      error: error.message, // "<status> <message>"
      rateLimit: null,
    };
  }
}

/** Checks the stack serves `name` (the model directory's config.json name). */
export async function checkServed(client: OpenAI, name: string): Promise<void> {
  const ids = (await client.models.list()).data.map((m) => m.id);
  if (!ids.includes(name)) throw new StackError(`the stack serves ${ids.join(", ") || "no model"}, not ${name}`);
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight; results keep the input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
  onDone?: (done: number) => void,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (error) {
        next = items.length; // the other workers stop taking items
        throw error;
      }
      onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
