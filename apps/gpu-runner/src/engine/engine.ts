// The generation engine: a numbered pipeline per request and one scheduler loop that shares
// the model between requests.
//
//   generate(): 1+3 render the prompt per turn, fitting the context as it goes (fit-context.ts:
//               truncation)   2 resolve images (409 when missing)   4 queue (503 when full)
//   loop:       5 admit: a slot from the slot table (slot-table.ts) with the longest reusable
//                 prefix, prefill the rest
//               6 decode: one batched step for every sampling request (continuous batching:
//                 requests join between steps, finished ones leave)
//               7 beam requests: one step each over their own beam rows
import type { GenerateRequest } from "@mmgpt/schema/internal";
import { mediaTime } from "../model/media-time.js";
import type { DecodeResult, ModelRuntime } from "../model/runtime.js";
import type { Tokenizer } from "../tokenizer/index.js";
import { BeamRunner } from "./beam-runner.js";
import { type CallOptions, runDecoder } from "./decoder-call.js";
import { type CachedTokenizer, withEncodeCache } from "./encode-cache.js";
import { EngineError } from "./errors.js";
import { fitToContext } from "./fit-context.js";
import { GrammarCache } from "./grammar/grammar-cache.js";
import type { TokenConstraint } from "./grammar/token-constraint.js";
import { ImageStore } from "./image-store.js";
import { type EngineEvent, Job } from "./job.js";
import { KvPool } from "./kv-pool.js";
import { SlotTable } from "./slot-table.js";
import { EngineStats } from "./stats.js";
import { nextAdmission } from "./tenant-share.js";

export const PREFILL_CHUNK = 256;

export interface EngineOptions {
  /** Sequences decoded together in one step. */
  maxBatch: number;
  /** Conversations whose caches are kept (≥ maxBatch): the running ones and idle ones for reuse. */
  slots: number;
  /** Requests waiting for a row before new ones get 503 overloaded. */
  maxQueue: number;
  /**
   * Rows one tenant may hold at once, sampling choices and beam rows alike (default maxBatch):
   * the rest of the batch stays open to other tenants (tenant-share.ts).
   */
  tenantRows?: number;
  /** Requests one tenant may have waiting (default maxQueue); beyond: 503 overloaded. */
  tenantQueue?: number;
  /** Longest prompt + completion, in tokens (≤ the model's positions). */
  maxContext: number;
  imageFeatureBytes: number;
  imagePixelBytes: number;
  /** Prompt tokens per prefill call (default PREFILL_CHUNK). */
  prefillChunk?: number;
  /** Reuse cached KV of earlier requests (default true; off only to measure its effect). */
  prefixCache?: boolean;
  /** Diagnostics: sees every logits row a token is chosen from (tests compare them). */
  onLogits?: (jobId: string, logits: Float32Array) => void;
}

export class Engine {
  readonly stats = new EngineStats();
  readonly images: ImageStore;
  private readonly slots: SlotTable;
  private readonly queue: Job[] = [];
  /** The decode batch: active[r] runs in row r (the slot table's decode slots, in order). */
  private readonly active: Job[] = [];
  private readonly beams: BeamRunner[] = [];
  private running = false;
  /** The job between the queue and the batch (its prefill is running). */
  private admitting: Job | null = null;
  private readonly promptTimes = new WeakMap<Job, Int32Array>();
  private draining = false;
  /** Tokenizes prompts; remembers each text's ids per tenant (a conversation re-sends its history). */
  private readonly promptTokenizer: CachedTokenizer;
  /** Compiled response formats (built on the first constrained request: ~0.1 s for the vocab). */
  private grammarCache: Promise<GrammarCache> | null = null;

  constructor(
    readonly rt: ModelRuntime,
    readonly tokenizer: Tokenizer,
    readonly opts: EngineOptions,
  ) {
    if (opts.slots < opts.maxBatch) throw new Error("slots must be ≥ maxBatch");
    this.slots = new SlotTable(new KvPool(rt.config.language, opts.slots, opts.maxContext, rt.kvDtype), {
      imageToken: rt.config.tokens.image,
      mediaRule: rt.config.crossAttention.mediaRule,
      prefixCache: opts.prefixCache,
    });
    this.images = new ImageStore(rt, opts.imagePixelBytes, opts.imageFeatureBytes, this.stats);
    this.promptTokenizer = withEncodeCache(tokenizer);
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  get busy(): number {
    return this.active.length + this.beams.length + this.queue.length;
  }

  /** Stop admitting new requests (graceful shutdown); in-flight ones finish. */
  drain(): void {
    this.draining = true;
  }

  /** The grammar cache (created on first use; the metrics read its counters). */
  grammars(): Promise<GrammarCache> {
    this.grammarCache ??= GrammarCache.create(this.tokenizer);
    return this.grammarCache;
  }

  /**
   * submit() for any request: a constrained one (response_format) first gets its grammar state
   * (compiled once per format, see GrammarCache); a format XGrammar cannot compile is a 400.
   */
  async start(req: GenerateRequest): Promise<Job> {
    const format = req.params.response_format;
    if (!format) return this.submit(req);
    const constraints: TokenConstraint[] = [];
    try {
      const cache = await this.grammars();
      // One grammar state per choice: n choices advance independently.
      for (let i = 0; i < (req.params.n ?? 1); i++) constraints.push(await cache.constrain(format));
    } catch (e) {
      for (const c of constraints) c.dispose();
      throw new EngineError("invalid_request", `params.response_format: ${String((e as Error)?.message ?? e)}`);
    }
    try {
      // A schema no document satisfies (e.g. a $ref cycle with no content) allows no first token.
      await constraints[0].refresh();
      if (!constraints[0].anyAllowed)
        throw new EngineError("invalid_request", "params.response_format: no JSON document satisfies the schema");
      return this.submit(req, constraints);
    } catch (e) {
      for (const c of constraints) c.dispose();
      throw e;
    }
  }

  /**
   * Steps 1–4. Throws EngineError before anything is queued; events follow on the job. A
   * constrained request (response_format) needs its `constraint`: start() makes it.
   */
  submit(req: GenerateRequest, constraints?: readonly TokenConstraint[]): Job {
    if (req.params.response_format && constraints?.length !== (req.params.n ?? 1))
      throw new Error("submit: a request with a response_format needs a token constraint per choice (use start())");
    if (constraints && req.params.num_beams > 1)
      throw new EngineError("invalid_request", "constrained decoding (response_format) cannot use beam search");
    if (this.draining) throw new EngineError("not_ready", "the runner is shutting down");
    const tokenizer = this.promptTokenizer.forTenant(req.tenant);
    // 3 (before 2, so an image of a dropped exchange is not asked for): fit the context.
    // Rendering and fitting are one step: a prompt that cannot fit is not tokenized in full.
    const { rendered, droppedExchanges, maxTokens } = fitToContext(tokenizer, req, {
      maxTokens: req.params.max_tokens,
      maxContext: this.opts.maxContext,
      truncation: req.truncation ?? "disabled",
    });
    const hashes = rendered.images.map((p) => p.image as string);
    const missing = [...new Set(hashes)].filter((h) => !this.images.has(req.tenant, h));
    if (missing.length)
      throw new EngineError("image_missing", `${missing.length} image(s) not on this runner`, { missing });
    // Beams and choices decode side by side in rows of the batch: they must fit in a tenant's share.
    const rowsOf = req.params.num_beams > 1 ? "num_beams" : "n";
    if ((req.params[rowsOf] ?? 1) > this.tenantRows)
      throw new EngineError(
        "invalid_request",
        `${rowsOf} must be ≤ ${this.tenantRows} (the rows one account may hold on this runner)`,
      );
    const vocab = this.rt.config.language.vocabSize;
    const outside = Object.keys(req.params.logit_bias ?? {}).find((id) => Number(id) >= vocab);
    if (outside !== undefined)
      throw new EngineError(
        "invalid_request",
        `logit_bias: token id ${outside} is outside the vocabulary (0..${vocab - 1})`,
      );
    if (this.queue.length >= this.opts.maxQueue) throw new EngineError("overloaded", "the generation queue is full");
    const queued = this.queue.reduce((k, j) => k + (j.tenant === req.tenant ? 1 : 0), 0);
    if (queued >= (this.opts.tenantQueue ?? this.opts.maxQueue))
      throw new EngineError("overloaded", "this account's share of the generation queue is full");
    const job = new Job(
      {
        id: req.request_id,
        ids: rendered.ids,
        imageHashes: hashes,
        prompt: rendered.text,
        params: { ...req.params, max_tokens: maxTokens },
        tenant: req.tenant,
        conversationId: req.conversation_id,
        stream: req.stream,
        constraints,
        droppedExchanges,
      },
      this.tokenizer,
    );
    this.queue.push(job);
    this.stats.requests++;
    this.kick();
    return job;
  }

  /** Async iteration over a submitted job's events (cancels it when the consumer stops early). */
  async *events(job: Job): AsyncGenerator<EngineEvent> {
    try {
      for await (const e of job.events) yield e;
    } finally {
      this.cancel(job);
    }
  }

  cancel(job: Job): void {
    if (!job.finished && !job.cancelled) {
      job.cancelled = true;
      this.stats.cancelled++;
    }
    this.kick();
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    this.loop()
      .catch((e) => {
        const err = e instanceof EngineError ? e : new EngineError("internal", String(e?.message ?? e));
        // Every job in flight fails: the batch, the queue, beam searches and one being admitted.
        const inFlight = [...this.active, ...this.queue, ...this.beams.map((b) => b.job)];
        if (this.admitting) inFlight.push(this.admitting);
        for (const j of inFlight) j.fail(err);
        this.active.length = 0;
        this.queue.length = 0;
        this.beams.length = 0;
        this.admitting = null;
        this.slots.releaseAll();
      })
      .finally(() => {
        this.running = false;
        if (this.queue.length || this.active.length || this.beams.length) this.kick();
      });
  }

  private async loop(): Promise<void> {
    while (this.queue.length || this.active.length || this.beams.length) {
      this.dropCancelled();
      // 5: admit while there is room in the batch (a request takes a row per choice or beam),
      // each tenant within its share, the one holding the fewest rows first.
      for (;;) {
        const free = this.opts.maxBatch - this.active.length - this.beamRows();
        const next = nextAdmission(this.queue, this.rowsByTenant(), { freeRows: free, tenantRows: this.tenantRows });
        if (next < 0) break;
        const [job] = this.queue.splice(next, 1);
        if (job.cancelled) continue;
        this.admitting = job;
        await this.admit(job);
        this.admitting = null;
      }
      this.stats.queueDepth = this.queue.length;
      // A job can finish at its first token (max_tokens 1, EOS, a stop string): it leaves
      // before the step rather than costing the batch a decode row it would not use.
      this.retireFinished();
      this.stats.kvSpills += this.slots.spillIdle();
      // 6: one decode step for every sampling request.
      if (this.active.length) await this.decodeStep();
      // 7: one step of every beam search.
      for (const b of [...this.beams]) {
        if (b.job.cancelled || (await b.step())) this.beams.splice(this.beams.indexOf(b), 1);
      }
      this.retireFinished();
      // Let HTTP handlers run (new requests, disconnects) between steps.
      await new Promise((r) => setImmediate(r));
    }
  }

  private beamRows(): number {
    return this.beams.reduce((n, b) => n + b.rows, 0);
  }

  private get tenantRows(): number {
    return Math.min(this.opts.tenantRows ?? this.opts.maxBatch, this.opts.maxBatch);
  }

  /** Rows each tenant holds in the batch (a choice is a job of its own; a beam search, its rows). */
  private rowsByTenant(): Map<string, number> {
    const rows = new Map<string, number>();
    for (const j of this.active) rows.set(j.tenant, (rows.get(j.tenant) ?? 0) + 1);
    for (const b of this.beams) rows.set(b.job.tenant, (rows.get(b.job.tenant) ?? 0) + b.rows);
    return rows;
  }

  /** Step 5: take a slot into the batch's next row and prefill what its cache lacks. */
  private async admit(job: Job): Promise<void> {
    try {
      job.images = await this.images.features(job.tenant, job.imageHashes);
    } catch (e) {
      job.fail(e instanceof EngineError ? e : new EngineError("internal", String(e)));
      return;
    }
    // The first token's masks are computed while the prompt is prefilled.
    const masked = job.constraint ? Promise.all([job, ...job.siblings].map((j) => j.constraint?.refresh())) : null;
    const { row, reuse } = this.slots.acquire({
      ids: job.ids,
      images: job.imageHashes,
      tenant: job.tenant,
      conversationId: job.conversationId,
    });
    // The prefill reads the capacity too: make it follow the batch with this job in it.
    this.stats.kvSpills += this.slots.spillIdle(job.ids.length);
    job.cachedTokens = reuse;
    job.events.push({ type: "start", prompt_tokens: job.ids.length, cached_tokens: reuse });
    // Prefill in chunks: attention scratch grows with chunk × context, so chunks bound the
    // memory a long prompt needs (ORT's arena keeps its peak for the process lifetime).
    let logits: Float32Array = new Float32Array(0);
    for (let at = reuse; at < job.ids.length; at += this.opts.prefillChunk ?? PREFILL_CHUNK) {
      const chunk = job.ids.slice(at, at + (this.opts.prefillChunk ?? PREFILL_CHUNK));
      logits = (await this.run(row, [chunk], [job])).logits;
    }
    this.stats.prefillTokens += job.ids.length - reuse;
    this.stats.reusedTokens += reuse;
    if (job.beams > 1) {
      this.beams.push(new BeamRunner(this, job, logits, row));
      // The beam runner keeps its own rows; this slot leaves the batch again.
      this.slots.release(row);
      return;
    }
    if (masked) await masked;
    this.slots.decode(row);
    this.active.push(job);
    this.opts.onLogits?.(job.id, logits);
    job.accept(logits);
    this.stats.observeFirstToken(job);
    this.fork(job, row, logits);
  }

  /**
   * n > 1: choices 1…n−1 join the batch in rows of their own holding a copy of the prompt's K/V
   * (prefilled once), and choose their first token from the same prefill logits.
   */
  private fork(job: Job, row: number, logits: Float32Array): void {
    for (const sibling of job.siblings) {
      const into = this.slots.fork(row);
      this.slots.decode(into);
      sibling.images = job.images;
      this.active.push(sibling);
      this.opts.onLogits?.(sibling.id, logits);
      sibling.accept(logits);
    }
  }

  /** Step 6. */
  private async decodeStep(): Promise<void> {
    const jobs = this.active;
    // A batch of plain greedy rows takes the graph's own argmax instead of the logits (unless
    // someone observes the logits).
    const greedy = !this.opts.onLogits && jobs.every((j) => j.plainGreedy);
    // Constrained rows' next-token masks are computed while the decoder runs (no promise at all
    // when no row is constrained: the unconstrained step pays nothing for the feature).
    const masked = jobs.some((j) => j.constraint) ? Promise.all(jobs.map((j) => j.constraint?.refresh())) : null;
    const out = await this.run(
      0,
      jobs.map((j) => [j.last]),
      jobs,
      this.slots.pool,
      // The logits are read before the next call.
      { reuseOutputs: true, greedy },
    );
    if (masked) await masked;
    const V = this.rt.config.language.vocabSize;
    jobs.forEach((j, r) => {
      if (out.greedyIds) {
        j.feed(Number(out.greedyIds[r]));
      } else {
        const row = out.logits.subarray(r * V, (r + 1) * V);
        // Decode steps reuse the logits buffer (reuseOutputs): observers get their own copy.
        this.opts.onLogits?.(j.id, row.slice());
        j.accept(row);
      }
    });
    this.stats.observeStep(jobs.length);
  }

  /**
   * One decoder call over rows [first, first + jobs.length) of `pool`: each job's `tokens[b]`
   * from its row's valid length on (a prefill chunk: one job; a decode step: one token each).
   */
  async run(
    first: number,
    tokens: number[][],
    jobs: Job[],
    pool = this.slots.pool,
    opts: CallOptions = {},
  ): Promise<Pick<DecodeResult, "logits" | "greedyIds">> {
    const rows = jobs.map((job, b) => ({
      tokens: tokens[b],
      images: job.images,
      times: this.mediaTimes(job, pool.lengths[first + b], tokens[b].length),
    }));
    return runDecoder(this.rt, pool, first, rows, opts);
  }

  /** Image index of positions [from, from+count) of a job's sequence (prompt, then generated text). */
  private mediaTimes(job: Job, from: number, count: number): Int32Array {
    const cfg = this.rt.config;
    // The prompt's image indices never change during a job: computed once, not every decode step.
    let prompt = this.promptTimes.get(job);
    if (!prompt) {
      prompt = mediaTime(job.ids, cfg.tokens.image, cfg.crossAttention.mediaRule);
      this.promptTimes.set(job, prompt);
    }
    // Generated tokens follow the last image: v1 gives them no image, v2 the last one.
    const after = cfg.crossAttention.mediaRule === "previous-image" ? job.imageHashes.length : 0;
    return Int32Array.from({ length: count }, (_, k) => (from + k < prompt.length ? prompt[from + k] : after));
  }

  private dropCancelled(): void {
    for (const j of this.active) if (j.cancelled) j.finish("stop");
    // Leave the queue, so they hold no place in their tenant's share of it.
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (!this.queue[i].cancelled) continue;
      this.queue[i].fail(new EngineError("internal", "cancelled"));
      this.queue.splice(i, 1);
    }
  }

  /** Finished jobs leave the batch; the last active row moves into the gap. */
  private retireFinished(): void {
    let retired = false;
    for (let r = this.active.length - 1; r >= 0; r--) {
      const job = this.active[r];
      if (!job.finished) continue;
      // The slot keeps exactly the tokens its row holds K/V for (the last sampled one never ran).
      const moved = this.slots.release(r, [...job.ids, ...job.generated].slice(0, this.kvPool.lengths[r]));
      this.active[r] = this.active[moved];
      this.active.pop();
      if (job.index === 0) this.stats.completed++; // requests, not choices
      retired = true;
    }
    // Attention reads every row to the pool's capacity: once no row holds a long sequence any
    // more (its slot was reused), the capacity comes back down (in place, see KvPool.fit).
    if (retired) this.kvPool.fit();
  }

  /** The slots' KV pool (the beam runner forks from it; tests read its capacity). */
  get kvPool(): KvPool {
    return this.slots.pool;
  }
}
