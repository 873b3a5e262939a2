// Token-level stopping criteria for one sequence: an end-of-sequence id or the max_tokens budget,
// and the OpenAI finish_reason each maps to. Stop strings are matched on text (stop-strings.ts)
// and also finish with "stop".
import type { SpecialIds } from "../../tokenizer/types.js";

/** "stop": EOS or a stop string; "length": max new tokens reached. */
export type FinishReason = "stop" | "length";

/**
 * LLaMA's `</s>` (2) and Flamingo's `<|endofchunk|>` (32000). MultiModal-GPT was fine-tuned with
 * `</s>` after each answer, but OpenFlamingo's interleaved pre-training ends chunks with
 * `<|endofchunk|>`, which the model still emits at times; either ends the reply.
 */
export const DEFAULT_EOS_IDS: readonly number[] = [2, 32000];

/** The EOS ids of a loaded tokenizer (same as DEFAULT_EOS_IDS for the stock vocab). */
export function eosIdsOf(special: Pick<SpecialIds, "eos" | "endOfChunk">): number[] {
  return [special.eos, special.endOfChunk];
}

export interface StoppingOptions {
  /** Tokens to generate at most (≥ 1). */
  maxNewTokens: number;
  eosIds?: readonly number[];
}

export class StoppingCriteria {
  readonly maxNewTokens: number;
  private readonly eos: ReadonlySet<number>;

  constructor({ maxNewTokens, eosIds = DEFAULT_EOS_IDS }: StoppingOptions) {
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1)
      throw new RangeError(`maxNewTokens must be an integer ≥ 1 (got ${maxNewTokens})`);
    this.maxNewTokens = maxNewTokens;
    this.eos = new Set(eosIds);
  }

  isEos(token: number): boolean {
    return this.eos.has(token);
  }

  /**
   * Call after each generated token, with how many have been generated including it. Returns why
   * generation ends now, or null to go on. An EOS that is also the last allowed token is "stop":
   * the reply did end (HF reports the same). The EOS itself is never part of the reply text.
   */
  check(token: number, generated: number): FinishReason | null {
    if (this.eos.has(token)) return "stop";
    if (generated >= this.maxNewTokens) return "length";
    return null;
  }
}
