// The evaluation's table: tasks as rows, serving configurations as columns, each goal of issue 14
// marked met (✓) or not (✗). The same markdown goes to stdout and to results.md.
import {
  type Aggregate,
  GOALS,
  type Goal,
  type GoalResult,
  GROUPS,
  INT4_TOLERANCE_POINTS,
  type Int4Gap,
  meets,
  rowStats,
  type Stats,
} from "./aggregate";
import type { ServeConfig } from "./configs";
import { LANGUAGE_TASKS, VISION_TASKS } from "./score";

export interface ConfigResult {
  config: ServeConfig;
  aggregate: Aggregate;
  goals: GoalResult[];
  /** Against the fp32 configuration with the same KV cache type, when both ran. */
  int4: Int4Gap | null;
  /** Seconds to start the stack (graphs built on first use included), and to ask every question. */
  startSeconds: number;
  askSeconds: number;
  requests: number;
  errors: number;
  /** The edge's x-ratelimit-limit as the first reply reported it. */
  rateLimit: number | null;
}

interface Row {
  label: string;
  /** A task, or "group:<key>" (aggregate.ts's row naming). */
  row: string;
  metric: Goal["metric"];
  /** What n counts in this row. */
  n: (s: Stats) => number;
}

const percent = (x: number | null | undefined) => (x == null ? "—" : `${(x * 100).toFixed(1)} %`);
const answersOf = (s: Stats) => s.n;

function rows(sample: Aggregate): Row[] {
  const task = (t: string): Row => ({ label: t, row: t, metric: "accuracy", n: answersOf });
  const captionRows = (t: string): Row[] => [
    { label: `${t}: objects named`, row: t, metric: "recall", n: (s) => s.caption?.objects ?? 0 },
    { label: `${t}: mentions invented`, row: t, metric: "inventedShare", n: (s) => s.caption?.mentioned ?? 0 },
  ];
  const present = (t: string) => t in sample.tasks;
  return [
    ...VISION_TASKS.filter(present).map(task),
    ...["caption_detailed", "caption_short"].filter(present).flatMap(captionRows),
    ...LANGUAGE_TASKS.filter(present).map(task),
    ...Object.entries(GROUPS).map(([key, label]) => ({
      label,
      row: `group:${key}`,
      metric: "accuracy" as const,
      n: answersOf,
    })),
  ];
}

function goalOf(row: Row): Goal | undefined {
  return GOALS.find((g) => g.row === row.row && g.metric === row.metric);
}

function goalText(goal: Goal | undefined): string {
  if (!goal) return "";
  return `${goal.kind === "min" ? "≥" : "<"} ${(goal.target * 100).toFixed(0)} %`;
}

function cell(agg: Aggregate, row: Row, goal: Goal | undefined): string {
  const s = rowStats(agg, row.row);
  if (!s || s.n === 0) return "—";
  const value = row.metric === "accuracy" ? s.accuracy : (s.caption?.[row.metric] ?? null);
  // The invented share is shown with its counts: "5.0 % (1/20)" says more than a bare percentage.
  const text =
    row.metric === "inventedShare"
      ? `${percent(value)} (${s.caption?.invented}/${s.caption?.mentioned})`
      : percent(value);
  if (!goal || value === null) return text;
  return `${text} ${meets(goal, value) ? "✓" : "✗"}`;
}

function int4Cell(r: ConfigResult): string {
  if (r.config.precision !== "int4") return "";
  if (!r.int4 || r.int4.met === null) return "— (no fp32 run)";
  const w = r.int4.worst!;
  return `${r.int4.met ? "✓" : "✗"} worst ${w.points >= 0 ? "+" : ""}${w.points.toFixed(1)} (${w.task})`;
}

const line = (cells: string[]) => `| ${cells.join(" | ")} |`;

/** The markdown table of one evaluation, configurations in the order they ran. */
export function markdownTable(results: ConfigResult[]): string {
  if (results.length === 0) return "";
  const first = results[0].aggregate;
  const out = [
    line(["task", "n", ...results.map((r) => r.config.label), "goal"]),
    line(["---", "--:", ...results.map(() => "--:"), "---"]),
  ];
  for (const row of rows(first)) {
    const goal = goalOf(row);
    const s = rowStats(first, row.row);
    out.push(
      line([row.label, String(s ? row.n(s) : 0), ...results.map((r) => cell(r.aggregate, row, goal)), goalText(goal)]),
    );
  }
  const met = (r: ConfigResult) => {
    const judged = r.goals.filter((g) => g.met !== null);
    return `${judged.filter((g) => g.met).length} / ${judged.length}`;
  };
  out.push(line(["**goals met**", "", ...results.map(met), `of ${GOALS.length}`]));
  if (results.some((r) => r.config.precision === "int4"))
    out.push(
      line([
        "int4 vs fp32 (same KV type)",
        "",
        ...results.map(int4Cell),
        `every task within ±${INT4_TOLERANCE_POINTS} points`,
      ]),
    );
  if (results.some((r) => r.errors > 0))
    out.push(line(["request errors", "", ...results.map((r) => String(r.errors)), "counted as wrong"]));
  return out.join("\n");
}
