// Beam search for one request (`num_beams` > 1, the original demo's decoding). The beams get
// rows of their own, forked from the request's prefilled slot row; each step runs all beams
// as one batch, lets BeamSearch pick (parent, token) pairs, and reorders the rows to match.
import type { Engine } from "./engine.js";
import type { Job } from "./job.js";
import { KvPool } from "./kv-pool.js";
import { BeamSearch } from "./sampling/beam-search.js";
import { bannedIdsOf, endIdsOf } from "./stop/finish.js";

export class BeamRunner {
  readonly rows: number;
  private readonly pool: KvPool;
  private readonly search: BeamSearch;
  /** Tokens each live beam has generated so far (its row holds prompt + all but the last). */
  private beams: number[][];
  private pending: Float32Array[];

  constructor(
    private readonly engine: Engine,
    readonly job: Job,
    prefillLogits: Float32Array,
    slotRow: number,
  ) {
    const L = engine.rt.config.language;
    this.rows = job.beams;
    this.pool = new KvPool(L, this.rows, engine.opts.maxContext, engine.rt.kvDtype);
    const src = engine.kvPool;
    const n = src.lengths[slotRow];
    this.pool.ensure(n);
    // The search starts from one live beam (the prompt); the first reorder forks it.
    this.pool.copyFrom(src, slotRow, 0, n);
    const special = engine.tokenizer.special;
    this.search = new BeamSearch({
      numBeams: this.rows,
      maxNewTokens: job.params.max_tokens,
      eosIds: endIdsOf(special),
      banned: bannedIdsOf(special),
      repetitionPenalty: job.params.repetition_penalty,
      prompt: job.ids,
    });
    this.search.start();
    this.beams = [[]];
    this.pending = [prefillLogits];
  }

  /** One beam step; returns true when the search is over (the job is then finished). */
  async step(): Promise<boolean> {
    const { beams, done } = this.search.step(this.pending);
    if (done || beams.length === 0) {
      this.complete();
      return true;
    }
    // Reorder rows so row j holds beam j's parent history, then feed each beam's new token.
    this.pool.reorder(beams.map((b) => b.parent));
    this.beams = beams.map((b) => [...this.beams[b.parent], b.token]);
    const jobs = this.beams.map(() => this.job);
    const { logits } = await this.engine.run(
      0,
      beams.map((b) => [b.token]),
      jobs,
      this.pool,
    );
    const V = this.engine.rt.config.language.vocabSize;
    this.pending = beams.map((_, j) => logits.subarray(j * V, (j + 1) * V));
    return false;
  }

  private complete(): void {
    const best = this.search.finish();
    if (this.job.cancelled) {
      this.job.finish("stop");
      return;
    }
    for (const t of best.tokens) {
      if (this.job.finished) break;
      this.job.feed(t);
    }
    if (!this.job.finished) this.job.finish(best.finish_reason);
  }
}
