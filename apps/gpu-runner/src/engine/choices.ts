// The choices of one request (n ≥ 1) share its event stream: each choice is a Job of its own in
// the decode batch (its own row, sampler and seed stream), its deltas carry its index, and one
// done event follows once every choice has finished: usage counts the prompt once and sums the
// completion tokens. A failure of any choice fails the request; cancelling it cancels them all.
import type { ChoiceResult } from "@mmgpt/schema/internal";
import { Channel } from "./channel.js";
import type { EngineError } from "./errors.js";
import type { EngineEvent } from "./job.js";

export class ChoiceSet {
  readonly events = new Channel<EngineEvent>();
  cancelled = false;
  failed = false;
  private readonly results: ChoiceResult[] = [];
  private completionTokens = 0;
  private cachedTokens = 0;

  constructor(
    readonly n: number,
    /** The rendered prompt and its length in tokens (the same for every choice). */
    readonly prompt: string,
    readonly promptTokens: number,
    /** How the prompt was fitted to the context (fit-context.ts), as the done event reports it. */
    private readonly fit: { dropped_exchanges: number; max_tokens: number },
  ) {}

  delta(index: number, event: Omit<Extract<EngineEvent, { type: "delta" }>, "type" | "index">): void {
    // n = 1 keeps the events it always had (no index).
    this.events.push({ type: "delta", ...(this.n > 1 ? { index } : {}), ...event });
  }

  /** One choice is over; the done event goes out with the last. */
  finish(result: ChoiceResult, completionTokens: number, cachedTokens: number): void {
    if (this.failed) return;
    this.results[result.index] = result;
    this.completionTokens += completionTokens;
    if (result.index === 0) this.cachedTokens = cachedTokens;
    if (this.results.filter(Boolean).length < this.n) return;
    const [first] = this.results;
    this.events.push({
      type: "done",
      finish_reason: first.finish_reason,
      text: first.text,
      usage: {
        prompt_tokens: this.promptTokens,
        completion_tokens: this.completionTokens,
        cached_tokens: this.cachedTokens,
      },
      prompt: this.prompt,
      ...this.fit,
      ...(first.logprobs ? { logprobs: first.logprobs } : {}),
      ...(this.n > 1 ? { choices: this.results } : {}),
    });
    this.events.close();
  }

  fail(e: EngineError): void {
    if (this.failed) return;
    this.failed = true;
    this.events.fail(e);
  }
}
