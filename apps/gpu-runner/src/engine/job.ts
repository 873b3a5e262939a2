// One generation request inside the engine: its prompt ids and images, how it picks tokens
// (sampler or beam search), and how tokens become streamed text (UTF-8-safe detokenizer →
// stop-string matcher). The scheduler drives it; it never touches the model itself.
import type { GenerationParams } from "@mmgpt/schema/internal";
import type { ImageKv } from "../model/runtime.js";
import type { StreamDecoder, Tokenizer } from "../tokenizer/index.js";
import { Channel } from "./channel.js";
import type { EngineError } from "./errors.js";
import { createSampler, type Sampler } from "./sampling/sampler.js";
import { bannedIdsOf, endIdsOf, type FinishReason } from "./stop/finish.js";
import { DEFAULT_STOPS, ReplyTrimmer } from "./stop/reply-text.js";
import { StopMatcher } from "./stop/stop-strings.js";

export interface EngineUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
}

export type EngineEvent =
  | { type: "start"; prompt_tokens: number; cached_tokens: number }
  | { type: "delta"; text: string }
  | { type: "done"; finish_reason: FinishReason; text: string; usage: EngineUsage; prompt: string };

export class Job {
  readonly events = new Channel<EngineEvent>();
  readonly generated: number[] = [];
  /** Set by the scheduler once the prompt is prefilled. */
  cachedTokens = 0;
  /** The token to feed on the next decode step. */
  last = -1;
  cancelled = false;
  finished = false;
  readonly queuedAt = performance.now();
  firstTokenAt = 0;
  private readonly sampler: Sampler;
  private readonly detok: StreamDecoder;
  private readonly stops: StopMatcher;
  private readonly trim = new ReplyTrimmer();
  private readonly endIds: number[];
  private text = "";

  constructor(
    readonly id: string,
    readonly ids: number[],
    /** Image hashes in `<image>` order (identity for prefix reuse). */
    readonly imageHashes: string[],
    readonly prompt: string,
    readonly params: GenerationParams,
    tokenizer: Tokenizer,
    readonly conversationId?: string,
  ) {
    this.endIds = endIdsOf(tokenizer.special);
    this.sampler = createSampler({
      temperature: params.temperature,
      top_k: params.top_k,
      top_p: params.top_p,
      repetition_penalty: params.repetition_penalty,
      seed: params.seed,
      banned: bannedIdsOf(tokenizer.special),
    });
    this.detok = tokenizer.createStreamDecoder();
    // The template's own section headers end a reply too (the model inventing the next turn).
    this.stops = new StopMatcher([...params.stop, ...DEFAULT_STOPS]);
  }

  /** Images resolved to media K/V by the scheduler before prefill. */
  images: ImageKv[] = [];

  get beams(): number {
    return this.params.num_beams;
  }

  /** Tokens are the logits' argmax (banned ids aside) with nothing else applied. */
  get plainGreedy(): boolean {
    return this.sampler.greedy && this.params.repetition_penalty === 1;
  }

  /** Picks the next token from this job's logits row and feeds it through the text pipeline. */
  accept(logits: Float32Array): void {
    // The history only matters to the repetition penalty; skip the copy when it is off.
    const history = this.params.repetition_penalty === 1 ? [] : [...this.ids, ...this.generated];
    const token = this.sampler.next(logits, history);
    this.feed(token);
  }

  /** Feeds one chosen token: EOS / <|endofchunk|> / stop string / max_tokens end the job. */
  feed(token: number): void {
    if (this.generated.length === 0) this.firstTokenAt = performance.now();
    if (this.endIds.includes(token)) {
      this.finish("stop");
      return;
    }
    this.generated.push(token);
    this.last = token;
    const { emit, stopped } = this.stops.push(this.detok.push(token));
    this.emit(emit);
    if (stopped) this.finish("stop", true);
    else if (this.generated.length >= this.params.max_tokens) this.finish("length");
  }

  /** Ends the job; `stoppedByString` means held-back text must not be flushed. */
  finish(reason: FinishReason, stoppedByString = false): void {
    if (this.finished) return;
    if (!stoppedByString) this.emit(this.stops.push(this.detok.flush()).emit + this.stops.flush());
    this.emit(this.trim.flush(), true);
    this.finished = true;
    const usage = {
      prompt_tokens: this.ids.length,
      completion_tokens: this.generated.length,
      cached_tokens: this.cachedTokens,
    };
    this.events.push({ type: "done", finish_reason: reason, text: this.text, usage, prompt: this.prompt });
    this.events.close();
  }

  fail(e: EngineError): void {
    if (this.finished) return;
    this.finished = true;
    this.events.fail(e);
  }

  /** Text leaves through the demo's trim (leading/trailing whitespace), streaming-safe. */
  private emit(text: string, trimmed = false): void {
    text = trimmed ? text : this.trim.push(text);
    if (!text) return;
    this.text += text;
    this.events.push({ type: "delta", text });
  }
}
