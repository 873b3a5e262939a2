// Engine counters and histograms, rendered by the service as Prometheus text. Tests assert
// on the counters (e.g. a second turn prefills only its new tokens).
import type { Job } from "./job.js";

const TTFT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class EngineStats {
  requests = 0;
  completed = 0;
  cancelled = 0;
  prefillTokens = 0;
  reusedTokens = 0;
  decodeTokens = 0;
  decodeSteps = 0;
  visionRuns = 0;
  /** Idle rows moved out of the KV pool so that its capacity follows the batch. */
  kvSpills = 0;
  queueDepth = 0;
  lastBatchSize = 0;
  private readonly ttft = new Array<number>(TTFT_BUCKETS.length + 1).fill(0);
  private ttftSum = 0;
  private ttftCount = 0;
  private readonly batchSizes = new Map<number, number>();
  private readonly started = performance.now();

  observeFirstToken(job: Job): void {
    const s = (job.firstTokenAt - job.queuedAt) / 1000;
    const i = TTFT_BUCKETS.findIndex((b) => s <= b);
    this.ttft[i === -1 ? TTFT_BUCKETS.length : i]++;
    this.ttftSum += s;
    this.ttftCount++;
  }

  observeStep(batch: number): void {
    this.decodeSteps++;
    this.decodeTokens += batch;
    this.lastBatchSize = batch;
    this.batchSizes.set(batch, (this.batchSizes.get(batch) ?? 0) + 1);
  }

  /** Prometheus exposition of everything above plus cache figures passed in. */
  render(extra: Record<string, number>): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, value: number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
    };
    metric("mmgpt_requests_total", "counter", "Generation requests accepted", this.requests);
    metric("mmgpt_requests_completed_total", "counter", "Generations finished", this.completed);
    metric("mmgpt_requests_cancelled_total", "counter", "Generations cancelled (client gone)", this.cancelled);
    metric("mmgpt_prefill_tokens_total", "counter", "Prompt tokens run through the model", this.prefillTokens);
    metric(
      "mmgpt_prefix_reused_tokens_total",
      "counter",
      "Prompt tokens served from the prefix cache",
      this.reusedTokens,
    );
    metric("mmgpt_generated_tokens_total", "counter", "Tokens produced by decode steps", this.decodeTokens);
    metric("mmgpt_vision_runs_total", "counter", "Images encoded by the vision graphs", this.visionRuns);
    metric(
      "mmgpt_kv_spills_total",
      "counter",
      "Idle conversations' KV moved out of the batch's cache buffers",
      this.kvSpills,
    );
    metric("mmgpt_queue_depth", "gauge", "Requests waiting for a batch row", this.queueDepth);
    metric("mmgpt_batch_size", "gauge", "Sequences in the last decode step", this.lastBatchSize);
    const secs = (performance.now() - this.started) / 1000;
    metric(
      "mmgpt_tokens_per_second",
      "gauge",
      "Generated tokens per second since start",
      secs > 0 ? this.decodeTokens / secs : 0,
    );
    for (const [k, v] of Object.entries(extra)) metric(k, "gauge", k.replaceAll("_", " "), v);
    lines.push(
      "# HELP mmgpt_time_to_first_token_seconds Queue to first token",
      "# TYPE mmgpt_time_to_first_token_seconds histogram",
    );
    let cum = 0;
    TTFT_BUCKETS.forEach((b, i) => {
      cum += this.ttft[i];
      lines.push(`mmgpt_time_to_first_token_seconds_bucket{le="${b}"} ${cum}`);
    });
    lines.push(`mmgpt_time_to_first_token_seconds_bucket{le="+Inf"} ${this.ttftCount}`);
    lines.push(
      `mmgpt_time_to_first_token_seconds_sum ${this.ttftSum}`,
      `mmgpt_time_to_first_token_seconds_count ${this.ttftCount}`,
    );
    lines.push(
      "# HELP mmgpt_decode_batch_size_steps Decode steps by batch size",
      "# TYPE mmgpt_decode_batch_size_steps counter",
    );
    for (const [b, n] of [...this.batchSizes].sort((x, y) => x[0] - y[0]))
      lines.push(`mmgpt_decode_batch_size_steps{size="${b}"} ${n}`);
    return `${lines.join("\n")}\n`;
  }
}
