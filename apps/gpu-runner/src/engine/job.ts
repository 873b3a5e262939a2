// One generation choice inside the engine: its prompt ids and images, how it picks tokens
// (sampler or beam search), and how tokens become streamed text (UTF-8-safe detokenizer →
// stop-string matcher). A request with n choices is n jobs sharing one ChoiceSet (choices.ts);
// the first is queued, the others are forked from its prefilled row. The scheduler drives
// them; a job never touches the model itself.
import type { DeltaEvent, DoneEvent, GenerationParams, StartEvent, TokenLogprob } from "@mmgpt/schema/internal";
import type { ImageKv } from "../model/runtime.js";
import type { StreamDecoder, Tokenizer } from "../tokenizer/index.js";
import { ChoiceSet } from "./choices.js";
import { EngineError } from "./errors.js";
import type { TokenConstraint } from "./grammar/token-constraint.js";
import { logprobEntry } from "./logprob-entry.js";
import { choiceSeed, createSampler, type Sampler } from "./sampling/sampler.js";
import type { ChosenLogprobs } from "./sampling/token-logprobs.js";
import { bannedIdsOf, endIdsOf, type FinishReason } from "./stop/finish.js";
import { DEFAULT_STOPS, ReplyTrimmer } from "./stop/reply-text.js";
import { StopMatcher } from "./stop/stop-strings.js";

export type EngineUsage = DoneEvent["usage"];
/** The events of one request: the protocol's (@mmgpt/schema/internal) start, deltas and done. */
export type EngineEvent = StartEvent | DeltaEvent | DoneEvent;

/** What a request brings to its jobs. */
export interface JobSpec {
  id: string;
  ids: number[];
  /** Image hashes in `<image>` order (identity for prefix reuse). */
  imageHashes: string[];
  prompt: string;
  params: GenerationParams;
  /** Whose request (opaque): caches are reused within a tenant only; rows are shared by tenant. */
  tenant: string;
  conversationId?: string;
  /** Streamed requests get logprobs in their deltas only, not again in the done event. */
  stream?: boolean;
  /** Constrained decoding (response_format): one grammar state per choice. */
  constraints?: readonly TokenConstraint[];
  /** Oldest exchanges truncation left out of `ids` (fit-context.ts), reported on the done event. */
  droppedExchanges?: number;
}

export class Job {
  readonly generated: number[] = [];
  /** Set by the scheduler once the prompt is prefilled. */
  cachedTokens = 0;
  /** The token to feed on the next decode step. */
  last = -1;
  readonly queuedAt = performance.now();
  firstTokenAt = 0;
  readonly id: string;
  readonly ids: number[];
  readonly imageHashes: string[];
  readonly prompt: string;
  readonly params: GenerationParams;
  readonly tenant: string;
  readonly conversationId?: string;
  /** Constrained decoding: this choice's own grammar state. */
  readonly constraint?: TokenConstraint;
  /** Choices 1…n−1 of a request (on its first job; forked from its row after the prefill). */
  readonly siblings: Job[] = [];
  private ended = false;
  private readonly sampler: Sampler;
  private readonly detok: StreamDecoder;
  private readonly stops: StopMatcher;
  private readonly trim = new ReplyTrimmer();
  private readonly endIds: number[];
  private text = "";
  /** With logprobs: one entry per generated token, and how many went out in deltas. */
  private readonly logprobs: TokenLogprob[] | null;
  private logprobsSent = 0;

  constructor(
    private readonly spec: JobSpec,
    private readonly tokenizer: Tokenizer,
    /** The choice this job generates (0 ≤ index < n). */
    readonly index = 0,
    readonly choices = new ChoiceSet(spec.params.n ?? 1, spec.prompt, spec.ids.length, {
      dropped_exchanges: spec.droppedExchanges ?? 0,
      max_tokens: spec.params.max_tokens,
    }),
  ) {
    ({ id: this.id, ids: this.ids, imageHashes: this.imageHashes, prompt: this.prompt, params: this.params } = spec);
    this.tenant = spec.tenant;
    this.conversationId = spec.conversationId;
    this.constraint = spec.constraints?.[index];
    const { params } = spec;
    this.endIds = endIdsOf(tokenizer.special);
    this.sampler = createSampler({
      temperature: params.temperature,
      top_k: params.top_k,
      top_p: params.top_p,
      repetition_penalty: params.repetition_penalty,
      // Each choice draws from its own stream; choice 0 keeps the request's seed (n = 1's answer).
      seed: params.seed === undefined ? undefined : choiceSeed(params.seed, index),
      banned: bannedIdsOf(tokenizer.special),
      presence_penalty: params.presence_penalty,
      frequency_penalty: params.frequency_penalty,
      logit_bias: params.logit_bias && new Map(Object.entries(params.logit_bias).map(([id, b]) => [Number(id), b])),
      top_logprobs: params.logprobs,
    });
    this.logprobs = params.logprobs === undefined ? null : [];
    this.detok = tokenizer.createStreamDecoder();
    // The template's own section headers end a reply too (the model inventing the next turn) —
    // but not a constrained one: the grammar ends it, and a JSON string may contain "###".
    this.stops = new StopMatcher(this.constraint ? params.stop : [...params.stop, ...DEFAULT_STOPS]);
    if (index === 0) {
      for (let i = 1; i < this.choices.n; i++) this.siblings.push(new Job(spec, tokenizer, i, this.choices));
    }
  }

  /** Images resolved to media K/V by the scheduler before prefill. */
  images: ImageKv[] = [];

  /** The request's event stream (shared by its choices). */
  get events() {
    return this.choices.events;
  }

  get cancelled(): boolean {
    return this.choices.cancelled;
  }

  set cancelled(value: boolean) {
    this.choices.cancelled = value;
  }

  /** Over: finished, or the request failed. */
  get finished(): boolean {
    return this.ended || this.choices.failed;
  }

  get beams(): number {
    return this.params.num_beams;
  }

  /** Decode rows the request takes: one per choice, or one per beam (its own rows, as many). */
  get rows(): number {
    return this.beams > 1 ? this.beams : this.choices.n;
  }

  /** Tokens are the logits' argmax (banned ids aside) with nothing else applied or reported. */
  get plainGreedy(): boolean {
    return this.sampler.argmaxOnly && !this.constraint;
  }

  /** Picks the next token from this job's logits row and feeds it through the text pipeline. */
  accept(logits: Float32Array): void {
    // The history only matters to the repetition penalty; skip the copy when it is off.
    const history = this.params.repetition_penalty === 1 ? [] : [...this.ids, ...this.generated];
    if (!this.constraint) {
      this.feed(this.sampler.next(logits, history), this.sampler.logprobs);
      return;
    }
    // A sibling choice may have failed the request earlier in this step (its grammar is freed).
    if (this.finished) return;
    let token: number;
    try {
      token = this.sampler.next(logits, history, this.constraint.allowed);
    } catch (e) {
      // A grammar that allows no token fails this request, not the whole batch.
      this.fail(new EngineError("internal", `constrained decoding: ${String((e as Error)?.message ?? e)}`));
      return;
    }
    this.feed(token, this.sampler.logprobs);
  }

  /** Feeds one chosen token: EOS / <|endofchunk|> / stop string / max_tokens end the job. */
  feed(token: number, logprobs: ChosenLogprobs | null = null): void {
    if (this.generated.length === 0) this.firstTokenAt = performance.now();
    // The grammar allows an end id only once the document is complete.
    this.constraint?.accept(token);
    if (this.endIds.includes(token)) {
      this.finish("stop");
      return;
    }
    this.generated.push(token);
    if (this.logprobs && logprobs) this.logprobs.push(logprobEntry(this.tokenizer, token, logprobs));
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
    // Tokens whose text never went out (held back, then dropped by a stop string) still had logprobs.
    if (this.logprobs && this.logprobsSent < this.logprobs.length) this.send("");
    this.ended = true;
    this.constraint?.dispose();
    const keepLogprobs = this.logprobs && !this.spec.stream;
    this.choices.finish(
      {
        index: this.index,
        finish_reason: reason,
        text: this.text,
        ...(keepLogprobs ? { logprobs: this.logprobs ?? [] } : {}),
      },
      this.generated.length,
      this.cachedTokens,
    );
  }

  fail(e: EngineError): void {
    if (this.finished) return;
    this.choices.fail(e);
    // Every choice is over: free all their grammar states (dispose is idempotent).
    for (const c of this.spec.constraints ?? []) c.dispose();
  }

  /** Text leaves through the demo's trim (leading/trailing whitespace), streaming-safe. */
  private emit(text: string, trimmed = false): void {
    text = trimmed ? text : this.trim.push(text);
    if (!text) return;
    this.text += text;
    this.send(text);
  }

  /** A delta with the logprobs of the tokens generated since the previous one. */
  private send(text: string): void {
    const logprobs = this.logprobs?.slice(this.logprobsSent);
    this.logprobsSent = this.logprobs?.length ?? 0;
    this.choices.delta(this.index, { text, ...(logprobs ? { logprobs } : {}) });
  }
}
