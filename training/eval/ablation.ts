// The paper's two findings as one table: the instruction mixes side by side (columns), each
// evaluated by `npm run eval` on the same split (results.json), read for the same serving
// configuration. Finding (a): all-short answers make the model terse when asked for detail —
// the detailed captions' reply length and objects named. Finding (b): language-only
// instructions in the mix help language-only tasks and multi-turn dialogue without hurting the
// visual tasks.
//
//   npm run eval:ablation -- full=runs/x/eval-full/results.json short=… vision=… [--config fp32-fp16]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Stats } from "./aggregate";

/** What one evaluation's results.json holds that this table reads. */
export interface EvalResults {
  model?: { sha256?: string };
  configs: { id: string; tasks: Record<string, Stats>; groups: Record<string, Stats> }[];
}

interface AblationRow {
  label: string;
  finding: "a" | "b";
  value: (c: EvalResults["configs"][number]) => { text: string; n: number } | null;
}

const pct = (x: number | null | undefined) => (x == null ? "—" : `${(x * 100).toFixed(1)} %`);

function accuracy(pick: (c: EvalResults["configs"][number]) => Stats | undefined): AblationRow["value"] {
  return (c) => {
    const s = pick(c);
    return s ? { text: pct(s.accuracy), n: s.n } : null;
  };
}

export const ROWS: AblationRow[] = [
  {
    label: "detailed captions: mean reply words",
    finding: "a",
    value: (c) => {
      const s = c.tasks.caption_detailed;
      return s?.meanReplyWords == null ? null : { text: s.meanReplyWords.toFixed(1), n: s.n };
    },
  },
  {
    label: "detailed captions: objects named",
    finding: "a",
    value: (c) => {
      const cap = c.tasks.caption_detailed?.caption;
      return cap ? { text: pct(cap.recall), n: cap.objects } : null;
    },
  },
  {
    label: "detailed captions: mentions invented",
    finding: "a",
    value: (c) => {
      const cap = c.tasks.caption_detailed?.caption;
      return cap ? { text: pct(cap.inventedShare), n: cap.mentioned } : null;
    },
  },
  {
    label: "short captions: mean reply words",
    finding: "a",
    value: (c) => {
      const s = c.tasks.caption_short;
      return s?.meanReplyWords == null ? null : { text: s.meanReplyWords.toFixed(1), n: s.n };
    },
  },
  { label: "language-only (all)", finding: "b", value: accuracy((c) => c.groups.language) },
  { label: "multi-turn follow-ups", finding: "b", value: accuracy((c) => c.groups.followups) },
  { label: "vision (all)", finding: "b", value: accuracy((c) => c.groups.vision) },
  { label: "all answers", finding: "b", value: accuracy((c) => c.groups.all) },
];

/** Markdown: a row per measure, a column per mix (value, then its n in parentheses). */
export function ablationTable(mixes: { name: string; results: EvalResults }[], configId: string): string {
  const columns = mixes.map(({ name, results }) => {
    const c = results.configs.find((x) => x.id === configId);
    if (!c)
      throw new Error(
        `${name}: no "${configId}" configuration in its results (has ${results.configs.map((x) => x.id).join(", ")})`,
      );
    return c;
  });
  const lines = [
    `| finding | measure (${configId}) | ${mixes.map((m) => m.name).join(" | ")} |`,
    `| --- | --- |${mixes.map(() => " --: |").join("")}`,
  ];
  for (const row of ROWS) {
    const cells = columns.map((c) => {
      const v = row.value(c);
      return v ? `${v.text} (${v.n})` : "—";
    });
    lines.push(`| ${row.finding} | ${row.label} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { config: { type: "string", default: "fp32-fp16" } },
  });
  if (positionals.length === 0) {
    process.stderr.write(
      "usage: npm run eval:ablation -- NAME=results.json [NAME=results.json …] [--config fp32-fp16]\n",
    );
    process.exit(2);
  }
  const mixes = positionals.map((p) => {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new Error(`"${p}": expected NAME=path/to/results.json`);
    return { name: p.slice(0, eq), results: JSON.parse(readFileSync(p.slice(eq + 1), "utf8")) as EvalResults };
  });
  process.stdout.write(`${ablationTable(mixes, values.config ?? "fp32-fp16")}\n`);
}

if (process.argv[1]?.endsWith("ablation.ts")) main();
