// Writes an evaluation's files: results.json (machine-readable), results.md (the table the README
// embeds) and samples.jsonl (every question's reply and score, for reading failures).
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "./args";
import type { EvalSplit } from "./dataset";
import type { AnswerRecord } from "./evaluate";
import { type ConfigResult, markdownTable } from "./report";

export interface RunInfo {
  startedAt: Date;
  finishedAt: Date;
  model: { dir: string; name: string; manifestSha256: string | null; tiny: boolean };
  split: EvalSplit;
  limit: number | undefined;
  request: { temperature: 0; maxTokens: number; concurrency: number };
  referenceCheck: { answers: number; correct: number; rejected: string[] };
}

const shown = (path: string) => (path.startsWith(ROOT) ? relative(ROOT, path) : path);

export function resultsJson(info: RunInfo, results: ConfigResult[]) {
  const items = info.split.items;
  const count = (pred: (i: (typeof items)[number]) => boolean) => items.filter(pred).length;
  return {
    started_at: info.startedAt.toISOString(),
    finished_at: info.finishedAt.toISOString(),
    wall_seconds: (info.finishedAt.getTime() - info.startedAt.getTime()) / 1000,
    model: {
      dir: shown(info.model.dir),
      name: info.model.name,
      manifest_sha256: info.model.manifestSha256,
      seeded_tiny: info.model.tiny,
    },
    data: {
      dir: shown(info.split.dir),
      samples: info.split.samples,
      limit: info.limit ?? null,
      answers: items.length,
      followups: count((i) => i.followup),
      heldout_phrasings: count((i) => i.heldoutPhrasing),
      generator: info.split.summary && {
        mix: info.split.summary.mix,
        arguments: info.split.summary.arguments,
      },
    },
    request: { temperature: 0, max_tokens: info.request.maxTokens, concurrency: info.request.concurrency },
    reference_check: info.referenceCheck,
    configs: results.map((r) => ({
      id: r.config.id,
      precision: r.config.precision,
      kv_cache_dtype: r.config.kvCacheDtype,
      start_seconds: round(r.startSeconds),
      ask_seconds: round(r.askSeconds),
      requests: r.requests,
      errors: r.errors,
      rate_limit_burst: r.rateLimit,
      tasks: r.aggregate.tasks,
      groups: r.aggregate.groups,
      goals: r.goals,
      goals_met: {
        met: r.goals.filter((g) => g.met === true).length,
        judged: r.goals.filter((g) => g.met !== null).length,
        total: r.goals.length,
      },
      int4_vs_fp32: r.int4,
    })),
  };
}

const round = (x: number) => Math.round(x * 10) / 10;

export function resultsMarkdown(info: RunInfo, results: ConfigResult[]): string {
  const m = info.model;
  const s = info.split;
  const seed = (s.summary?.arguments as { seed?: number } | undefined)?.seed;
  return [
    `Model \`${m.name}\` (${shown(m.dir)}${m.manifestSha256 ? `, manifest sha256 ${m.manifestSha256.slice(0, 12)}` : ""}), ` +
      `eval split ${shown(s.dir)}${seed === undefined ? "" : ` (seed ${seed})`}: ${s.samples} samples, ${s.items.length} answers; ` +
      `greedy decoding, max_tokens ${info.request.maxTokens}, through edge → runner with the \`openai\` client; ` +
      `${info.finishedAt.toISOString().slice(0, 10)}, ${Math.round((info.finishedAt.getTime() - info.startedAt.getTime()) / 1000)} s.`,
    "",
    markdownTable(results),
    "",
  ].join("\n");
}

export function writeOutputs(out: string, info: RunInfo, results: ConfigResult[], records: AnswerRecord[]): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "results.json"), `${JSON.stringify(resultsJson(info, results), null, 2)}\n`);
  writeFileSync(join(out, "results.md"), resultsMarkdown(info, results));
  writeFileSync(join(out, "samples.jsonl"), records.map((r) => `${JSON.stringify(r)}\n`).join(""));
}
