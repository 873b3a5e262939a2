// Step-wise beam search with HF BeamSearchScorer semantics, independent of the model: the engine
// runs each live beam, hands over the logits, and reorders its KV caches by the `parent` indices
// returned. Deterministic: num_beams > 1 ignores temperature, top_k, top_p and seed (no beam-sample).
import type { FinishReason } from "../stop/finish.js";
import { BeamHypotheses } from "./beam-hypotheses.js";
import { logSoftmax } from "./log-softmax.js";
import { applyRepetitionPenalty, maskTokens } from "./logits-processors.js";
import { topKIds } from "./partial-select.js";

export interface BeamSearchOptions {
  numBeams: number;
  maxNewTokens: number;
  /** Tokens that end a hypothesis (MultiModal-GPT: 2 `</s>` and 32000 `<|endofchunk|>`). */
  eosIds: readonly number[];
  /** Score = sum log-prob / length^lengthPenalty; > 0 favours longer replies. HF default 1. */
  lengthPenalty?: number;
  /** Stop as soon as numBeams hypotheses have finished. HF default false. */
  earlyStopping?: boolean;
  /** Ids never generated (masked to −∞ after log-softmax, as HF's bad-words processor). */
  banned?: readonly number[];
  /** HF/CTRL penalty applied per beam to its log-probs; history = prompt + that beam's tokens. */
  repetitionPenalty?: number;
  /** The prompt ids, only used as repetition-penalty history. */
  prompt?: readonly number[];
}

/** A live beam of the next step: token `token` appended to the beam at index `parent` of the previous step. */
export interface BeamChoice {
  parent: number;
  token: number;
}

export interface BeamStep {
  /** Live beams for the next step, best first. The engine runs beam i from parent's cache + token. */
  beams: BeamChoice[];
  /** No more steps: call finish(). The returned beams need not be run. */
  done: boolean;
}

export interface BeamResult {
  /** Generated tokens of the best hypothesis, without EOS. */
  tokens: number[];
  /** Its length-normalised score. */
  score: number;
  finish_reason: FinishReason;
}

interface LiveBeam {
  tokens: number[];
  /** Sum of (processed) log-probs of `tokens`. */
  score: number;
}

/*
 * Lengths (the divisor's base), as HF ≥ 4.36 counts them with decoder_prompt_len:
 * - a hypothesis ended by EOS: its generated tokens INCLUDING the EOS (HF: input_ids.len + 1 −
 *   prompt_len), and its score includes the EOS log-prob;
 * - a beam still live at the end (maxNewTokens reached): its generated tokens;
 * - isDone's bound: the generated length after the current step.
 * The prompt never counts (HF ≤ 4.35, which MultiModal-GPT's demo ran, divided by prompt +
 * generated length, which mutes the length penalty for long prompts).
 */
export class BeamSearch {
  private readonly numBeams: number;
  private readonly maxNewTokens: number;
  private readonly eos: ReadonlySet<number>;
  /** HF keeps max(2, 1 + |eos|)·numBeams candidates: enough that numBeams are never EOS. */
  private readonly perStep: number;
  private readonly options: BeamSearchOptions;
  private hyps: BeamHypotheses;
  private live: LiveBeam[] = [];
  private steps = 0;
  private hypsDone = false;
  private started = false;
  private row = new Float32Array(0);

  constructor(options: BeamSearchOptions) {
    const { numBeams, maxNewTokens, eosIds } = options;
    if (!Number.isInteger(numBeams) || numBeams < 1) throw new RangeError(`numBeams must be an integer ≥ 1`);
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) throw new RangeError(`maxNewTokens must be ≥ 1`);
    this.options = options;
    this.numBeams = numBeams;
    this.maxNewTokens = maxNewTokens;
    this.eos = new Set(eosIds);
    this.perStep = Math.max(2, 1 + this.eos.size) * numBeams;
    this.hyps = this.newHypotheses();
  }

  /** Begins (or restarts) a search: one live beam, the prompt, with score 0. */
  start(): void {
    this.hyps = this.newHypotheses();
    this.live = [{ tokens: [], score: 0 }];
    this.steps = 0;
    this.hypsDone = false;
    this.started = true;
  }

  /** How many logits rows the next step() expects (1 on the first step). */
  get liveBeams(): number {
    return this.live.length;
  }

  /** One decoding step: `logitsPerBeam[i]` is the next-token logits of live beam i. */
  step(logitsPerBeam: readonly Float32Array[]): BeamStep {
    if (!this.started) throw new Error("BeamSearch.step() before start()");
    if (this.steps >= this.maxNewTokens || this.hypsDone) throw new Error("BeamSearch.step() after done");
    if (logitsPerBeam.length !== this.live.length)
      throw new Error(`expected logits for ${this.live.length} beams, got ${logitsPerBeam.length}`);

    const ranked = this.candidates(logitsPerBeam);
    const length = this.steps + 1;
    const next: LiveBeam[] = [];
    const beams: BeamChoice[] = [];
    for (let rank = 0; rank < ranked.length && next.length < this.numBeams; rank++) {
      const c = ranked[rank];
      const parent = this.live[c.beam];
      if (this.eos.has(c.token)) {
        // HF: an EOS ranked below the top numBeams candidates is not a hypothesis.
        if (rank < this.numBeams) this.hyps.add(parent.tokens, c.score, length, true);
        continue;
      }
      next.push({ tokens: [...parent.tokens, c.token], score: c.score });
      beams.push({ parent: c.beam, token: c.token });
    }
    this.steps = length;
    if (ranked.length > 0) this.hypsDone = this.hyps.isDone(ranked[0].score, length);
    this.live = next;
    const done = this.hypsDone || this.steps >= this.maxNewTokens || next.length === 0;
    return { beams, done };
  }

  /** The best hypothesis. Beams still live count too unless isDone already ruled them out (HF finalize). */
  finish(): BeamResult {
    if (this.steps === 0) throw new Error("BeamSearch.finish() before any step");
    if (!this.hypsDone) for (const b of this.live) this.hyps.add(b.tokens, b.score, b.tokens.length, false);
    this.hypsDone = true;
    const best = this.hyps.best();
    if (best === undefined) throw new Error("no token can be generated: every logit is -Infinity or NaN");
    return { tokens: best.tokens, score: best.score, finish_reason: best.eos ? "stop" : "length" };
  }

  /**
   * The top `perStep` (beam score + processed log-prob) over all beams, best first; ties by
   * beam then token id. Each beam contributes at most `perStep` (its own top, partially
   * selected), which is all the global top can take from it.
   */
  private candidates(logitsPerBeam: readonly Float32Array[]): { score: number; beam: number; token: number }[] {
    const { banned = [], repetitionPenalty = 1, prompt = [] } = this.options;
    const all: { score: number; beam: number; token: number }[] = [];
    logitsPerBeam.forEach((logits, beam) => {
      if (this.row.length !== logits.length) this.row = new Float32Array(logits.length);
      const lp = logSoftmax(logits, this.row);
      // HF beam search runs its logits processors on the log-probs, after log_softmax.
      applyRepetitionPenalty(
        lp,
        repetitionPenalty === 1 ? [] : [...prompt, ...this.live[beam].tokens],
        repetitionPenalty,
      );
      maskTokens(lp, banned);
      const top = topKIds(lp, this.perStep); // rank order, boundary ties included
      const base = this.live[beam].score;
      for (let j = 0; j < Math.min(top.length, this.perStep); j++)
        all.push({ score: base + lp[top[j]], beam, token: top[j] });
    });
    all.sort((a, b) => b.score - a.score || a.beam - b.beam || a.token - b.token);
    return all.slice(0, this.perStep);
  }

  private newHypotheses(): BeamHypotheses {
    const { lengthPenalty = 1, earlyStopping = false } = this.options;
    return new BeamHypotheses(this.numBeams, lengthPenalty, earlyStopping);
  }
}
