// Progress on stderr for a long conversion: bytes done of total, rate and ETA. Redraws one
// line on a terminal; elsewhere (logs, CI) prints a line at most every few seconds.

export interface ProgressSink {
  isTTY?: boolean;
  write(s: string): unknown;
}

const GB = 1e9;
const MB = 1e6;

export function formatBytes(n: number): string {
  return n >= GB ? `${(n / GB).toFixed(2)} GB` : `${(n / MB).toFixed(1)} MB`;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 90) return `${Math.ceil(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
}

export class Progress {
  #done = 0;
  #lastDraw = 0;
  readonly #t0 = performance.now();
  readonly #interval: number;

  constructor(
    readonly total: number,
    readonly out: ProgressSink | null,
    readonly label = "converting",
  ) {
    this.#interval = out?.isTTY ? 200 : 5000;
  }

  get done(): number {
    return this.#done;
  }

  add(bytes: number, what: string): void {
    this.#done += bytes;
    const now = performance.now();
    if (now - this.#lastDraw >= this.#interval || this.#done >= this.total) {
      this.#lastDraw = now;
      this.#draw(what, now);
    }
  }

  finish(): void {
    if (this.out?.isTTY) this.out.write("\n");
  }

  #draw(what: string, now: number): void {
    if (!this.out) return;
    const secs = (now - this.#t0) / 1000;
    const rate = this.#done / Math.max(secs, 1e-3);
    const eta = rate > 0 ? (this.total - this.#done) / rate : Number.POSITIVE_INFINITY;
    const pct = this.total > 0 ? Math.floor((100 * this.#done) / this.total) : 100;
    const line = `${this.label}: ${formatBytes(this.#done)} / ${formatBytes(this.total)} (${pct}%) ${formatBytes(rate)}/s ETA ${formatSeconds(eta)}  ${what}`;
    this.out.write(this.out.isTTY ? `\r\x1b[K${line.slice(0, 160)}` : `${line}\n`);
  }
}
