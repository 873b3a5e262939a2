// The machine-readable output of a benchmark run: what was measured, on which commit and
// machine, and each goal with whether it was met. Every bench writes one file,
// bench/results/<bench>.json; report.ts renders them all into docs/benchmarks.md.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";

export const BENCH_DIR = join(import.meta.dirname, "..");
export const REPO_ROOT = join(BENCH_DIR, "..");
export const RESULTS_DIR = join(BENCH_DIR, "results");

export interface Goal {
  /** What is measured, e.g. "decode, service vs bare ORT loop". */
  name: string;
  /** The goal as people read it, e.g. "≥ 0.95×". */
  goal: string;
  value: number;
  met: boolean;
  /** The figures behind the value, e.g. "20.3 vs 19.1 ms". */
  detail: string;
}

/** A goal `value op target`, shown with `unit` (× for ratios, ms, …). */
export function goal(name: string, value: number, op: ">=" | "<=", target: number, unit: string, detail: string): Goal {
  const met = op === ">=" ? value >= target : value <= target;
  return { name, goal: `${op === ">=" ? "≥" : "≤"} ${target}${unit}`, value, met, detail };
}

export interface BenchCase {
  /** e.g. "mid-llama int4". */
  name: string;
  /** Figures by label, each with its unit in the label or the value ("20.3 ms/token"). */
  figures: Record<string, string>;
  goals: Goal[];
}

export interface BenchResult {
  bench: string;
  title: string;
  /** How the figures were produced and what they mean (a paragraph for the report). */
  method: string;
  command: string;
  date: string;
  commit: string;
  machine: { cpus: number; cpu: string; memGiB: number; node: string; loadAvg: number };
  cases: BenchCase[];
}

/** The checked-out commit (with "+changes" when the tree differs from it). */
function commit(): string {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: REPO_ROOT, encoding: "utf8" }).trim();
  try {
    return (
      git("rev-parse", "--short", "HEAD") + (git("status", "--porcelain", "--untracked-files=no") ? "+changes" : "")
    );
  } catch {
    return "unknown";
  }
}

const withArgs = (args: string[]) => (args.length ? ["--", ...args] : []);

/** The arguments that shape a run (where its file goes does not). */
function withoutOut(args: string[]): string[] {
  return args.filter((a, i) => !a.startsWith("--out") && args[i - 1] !== "--out");
}

/** Starts a result; the load average is taken now, before the bench loads the machine. */
export function newResult(bench: string, title: string, method: string): BenchResult {
  const cpu = cpus();
  return {
    bench,
    title,
    method,
    command: [`npm run ${bench} -w @mmgpt/bench`, ...withArgs(withoutOut(process.argv.slice(2)))].join(" "),
    date: new Date().toISOString(),
    commit: commit(),
    machine: {
      cpus: cpu.length,
      cpu: cpu[0]?.model ?? "unknown",
      memGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAvg: Number(loadavg()[0].toFixed(2)),
    },
    cases: [],
  };
}

/** Writes bench/results/<bench>.json (or `out`) and says where. */
export function writeResult(result: BenchResult, out = join(RESULTS_DIR, `${result.bench}.json`)): string {
  mkdirSync(join(out, ".."), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nresults: ${out}`);
  return out;
}

/** Fixed decimals, for figures. */
export const fixed = (x: number, digits = 2) => x.toFixed(digits);
