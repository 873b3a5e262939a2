// Pure arithmetic over scored answers: accuracy per task and per group (language-only,
// multi-turn follow-ups, …), caption recall and invented objects, the goals, and the
// int4-vs-fp32 gap. No I/O, so the tests can feed it hand-made answers.
import { LANGUAGE_TASKS, VISION_TASKS } from "./score";

/** What aggregation needs of one scored answer. */
export interface ScoredAnswer {
  task: string;
  followup: boolean;
  heldoutPhrasing: boolean;
  correct: boolean;
  /** The request failed (counted as wrong). */
  error: boolean;
  replyWords: number;
  /** Caption tasks: the scene's objects, how many the reply named (with color and kind), mentioned, invented. */
  caption?: { objects: number; named: number; mentioned: number; invented: number };
}

export interface Stats {
  n: number;
  correct: number;
  /** correct / n; null when n = 0. */
  accuracy: number | null;
  errors: number;
  meanReplyWords: number | null;
  /** Summed over the row's captions: named / objects, and invented / mentioned. */
  caption?: {
    objects: number;
    named: number;
    recall: number | null;
    mentioned: number;
    invented: number;
    inventedShare: number | null;
  };
}

export const GROUPS = {
  vision: "vision (all)",
  language: "language-only (all)",
  followups: "multi-turn follow-ups",
  heldout: "held-out phrasings",
  all: "all answers",
} as const;

export interface Aggregate {
  /** Per task, in the scorer's task order; tasks absent from the split are left out. */
  tasks: Record<string, Stats>;
  /** Per group, keyed by GROUPS' keys. */
  groups: Record<keyof typeof GROUPS, Stats>;
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

export function stats(answers: ScoredAnswer[]): Stats {
  const correct = answers.filter((a) => a.correct).length;
  const out: Stats = {
    n: answers.length,
    correct,
    accuracy: ratio(correct, answers.length),
    errors: answers.filter((a) => a.error).length,
    meanReplyWords: ratio(
      answers.reduce((s, a) => s + a.replyWords, 0),
      answers.length,
    ),
  };
  const captions = answers.flatMap((a) => (a.caption ? [a.caption] : []));
  if (captions.length > 0) {
    const sum = (k: "objects" | "named" | "mentioned" | "invented") => captions.reduce((s, c) => s + c[k], 0);
    out.caption = {
      objects: sum("objects"),
      named: sum("named"),
      recall: ratio(sum("named"), sum("objects")),
      mentioned: sum("mentioned"),
      invented: sum("invented"),
      // Of the objects the captions mention, the share the scenes lack (CHAIR_i); undefined when
      // they mention none, so silence cannot meet the goal.
      inventedShare: ratio(sum("invented"), sum("mentioned")),
    };
  }
  return out;
}

const VISION: readonly string[] = VISION_TASKS;
const LANGUAGE: readonly string[] = LANGUAGE_TASKS;

export function aggregate(answers: ScoredAnswer[]): Aggregate {
  const tasks: Record<string, Stats> = {};
  for (const task of [...VISION, ...LANGUAGE]) {
    const rows = answers.filter((a) => a.task === task);
    if (rows.length > 0) tasks[task] = stats(rows);
  }
  return {
    tasks,
    groups: {
      vision: stats(answers.filter((a) => VISION.includes(a.task))),
      language: stats(answers.filter((a) => LANGUAGE.includes(a.task))),
      followups: stats(answers.filter((a) => a.followup)),
      heldout: stats(answers.filter((a) => a.heldoutPhrasing)),
      all: stats(answers),
    },
  };
}

/** A goal of issue 14: a metric of one row compared with a target. */
export interface Goal {
  label: string;
  /** A task, or a group key prefixed "group:". */
  row: string;
  metric: "accuracy" | "recall" | "inventedShare";
  /** "min": value ≥ target; "below": value < target. */
  kind: "min" | "below";
  target: number;
}

export const GOALS: readonly Goal[] = [
  { label: "counting ≥ 90 %", row: "count", metric: "accuracy", kind: "min", target: 0.9 },
  { label: "color ≥ 95 %", row: "color", metric: "accuracy", kind: "min", target: 0.95 },
  { label: "kind ≥ 95 %", row: "kind", metric: "accuracy", kind: "min", target: 0.95 },
  { label: "existence ≥ 95 %", row: "exists", metric: "accuracy", kind: "min", target: 0.95 },
  { label: "position ≥ 90 %", row: "position", metric: "accuracy", kind: "min", target: 0.9 },
  {
    label: "detailed captions name ≥ 90 % of objects (color + kind)",
    row: "caption_detailed",
    metric: "recall",
    kind: "min",
    target: 0.9,
  },
  {
    label: "detailed captions invent < 5 % of their mentions",
    row: "caption_detailed",
    metric: "inventedShare",
    kind: "below",
    target: 0.05,
  },
  { label: "two-image comparison ≥ 90 %", row: "compare", metric: "accuracy", kind: "min", target: 0.9 },
  { label: "multi-turn follow-ups ≥ 90 %", row: "group:followups", metric: "accuracy", kind: "min", target: 0.9 },
  { label: "language-only ≥ 90 %", row: "group:language", metric: "accuracy", kind: "min", target: 0.9 },
];

export interface GoalResult {
  label: string;
  value: number | null;
  target: number;
  /** null: the split holds no answer of that row (e.g. a --limit run). */
  met: boolean | null;
}

export function rowStats(agg: Aggregate, row: string): Stats | undefined {
  return row.startsWith("group:") ? agg.groups[row.slice(6) as keyof typeof GROUPS] : agg.tasks[row];
}

export function goalValue(agg: Aggregate, goal: Goal): number | null {
  const s = rowStats(agg, goal.row);
  if (!s || s.n === 0) return null;
  return goal.metric === "accuracy" ? s.accuracy : (s.caption?.[goal.metric] ?? null);
}

export function meets(goal: Goal, value: number): boolean {
  return goal.kind === "min" ? value >= goal.target : value < goal.target;
}

export function checkGoals(agg: Aggregate): GoalResult[] {
  return GOALS.map((goal) => {
    const value = goalValue(agg, goal);
    return { label: goal.label, value, target: goal.target, met: value === null ? null : meets(goal, value) };
  });
}

/** Points (percentage points) int4 may differ from fp32 on any task. */
export const INT4_TOLERANCE_POINTS = 3;

export interface Int4Gap {
  /** Per task: int4 accuracy − fp32 accuracy, in percentage points. */
  points: Record<string, number>;
  worst: { task: string; points: number } | null;
  /** Every task within ±INT4_TOLERANCE_POINTS (null when no task has answers in both). */
  met: boolean | null;
}

/** The goal "int4 within 3 points of fp32 on every task", per task of the split. */
export function int4Gap(int4: Aggregate, fp32: Aggregate): Int4Gap {
  const points: Record<string, number> = {};
  for (const [task, s] of Object.entries(int4.tasks)) {
    const base = fp32.tasks[task];
    if (s.accuracy === null || base?.accuracy == null) continue;
    // Rounded to 1e-9 so 0.97 − 1.00 reads as −3, not −3.0000000000000027.
    points[task] = Math.round((s.accuracy - base.accuracy) * 100 * 1e9) / 1e9;
  }
  const entries = Object.entries(points);
  if (entries.length === 0) return { points, worst: null, met: null };
  const [task, worst] = entries.reduce((w, e) => (Math.abs(e[1]) > Math.abs(w[1]) ? e : w));
  return { points, worst: { task, points: worst }, met: Math.abs(worst) <= INT4_TOLERANCE_POINTS };
}
