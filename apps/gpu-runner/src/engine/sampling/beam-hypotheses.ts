// The n-best list of finished beam hypotheses (HF BeamHypotheses): keeps the numBeams best by
// length-normalised score and answers whether any live beam could still beat the worst of them.

export interface Hypothesis {
  /** Generated tokens, without the EOS that ended them. */
  tokens: number[];
  /** sum of log-probabilities / length^lengthPenalty. */
  score: number;
  /** True when an EOS ended it; false when maxNewTokens cut it. */
  eos: boolean;
}

export class BeamHypotheses {
  readonly beams: Hypothesis[] = [];
  /** HF starts at 1e9 so the first add always lowers it. */
  private worst = 1e9;

  constructor(
    private readonly numBeams: number,
    private readonly lengthPenalty: number,
    private readonly earlyStopping: boolean,
  ) {}

  get size(): number {
    return this.beams.length;
  }

  /** `length` is the hypothesis length the score is normalised by (see BeamSearch for what counts). */
  add(tokens: number[], sumLogProbs: number, length: number, eos: boolean): void {
    const score = sumLogProbs / length ** this.lengthPenalty;
    if (this.beams.length < this.numBeams || score > this.worst) {
      this.beams.push({ tokens, score, eos });
      if (this.beams.length > this.numBeams) {
        // Drop the worst; the new worst is the second-lowest. Stable order, as Python's sorted().
        const order = this.beams.map((b, i) => [b.score, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        this.beams.splice(order[0][1], 1);
        this.worst = order[1][0];
      } else {
        this.worst = Math.min(score, this.worst);
      }
    }
  }

  /**
   * HF is_done for early_stopping true/false: done once numBeams hypotheses exist and either
   * earlyStopping, or the best candidate score of this step, normalised by the current length,
   * is no better than the worst kept hypothesis. (HF's own comment: a heuristic, not exact when
   * lengthPenalty > 0, since a longer hypothesis gets a larger divisor.)
   */
  isDone(bestSumLogProbs: number, length: number): boolean {
    if (this.beams.length < this.numBeams) return false;
    if (this.earlyStopping) return true;
    return this.worst >= bestSumLogProbs / length ** this.lengthPenalty;
  }

  /** The best hypothesis; among equal scores the last added, as HF's sort-then-pop returns. */
  best(): Hypothesis | undefined {
    let best: Hypothesis | undefined;
    for (const b of this.beams) if (best === undefined || b.score >= best.score) best = b;
    return best;
  }
}
