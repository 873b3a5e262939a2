// Checks a set of stored tensors against the canonical name → shape table (names.ts):
// every expected tensor present, nothing unexpected, shapes equal, float dtypes. All
// problems are collected and reported together, by name, with expected and found shapes.
import { isFloatDtype } from "./dtype.js";
import { WeightsError, type WeightsErrorCode, type WeightsProblem } from "./errors.js";
import type { Shape } from "./names.js";
import { formatShape, sameShape } from "./shape.js";

/** What validation needs from a store (WeightStore satisfies it). */
export interface TensorSource {
  readonly source?: string;
  names(): Iterable<string>;
  info(name: string): { shape: Shape; dtype: string };
}

/** Lines shown before "… and N more": enough to spot a pattern, short enough to read. */
const MAX_LINES = 20;

/** Every problem, in expected-table order, unexpected tensors last (sorted). */
export function findWeightProblems(store: TensorSource, expected: Map<string, Shape>): WeightsProblem[] {
  const present = new Set(store.names());
  const problems: WeightsProblem[] = [];
  const missing: string[] = [];
  for (const [name, want] of expected) {
    if (!present.has(name)) {
      missing.push(name);
      problems.push({ code: "missing_tensor", name, message: `${name}: missing (expected ${formatShape(want)})` });
      continue;
    }
    const { shape, dtype } = store.info(name);
    if (!sameShape(shape, want)) {
      const message = `${name}: expected ${formatShape(want)}, found ${formatShape(shape)}`;
      problems.push({ code: "shape_mismatch", name, message });
    }
    if (!isFloatDtype(dtype)) {
      const message = `${name}: dtype ${dtype} is not a float weight dtype (F32, F16, BF16)`;
      problems.push({ code: "unsupported_dtype", name, message });
    }
  }
  const unexpected = [...present].filter((n) => !expected.has(n)).sort();
  for (const name of unexpected) {
    const { shape, dtype } = store.info(name);
    // A name that differs only by a prefix is the usual conversion slip: point at it.
    const near = missing.find((m) => name.endsWith(`.${m}`) || m.endsWith(`.${name}`));
    const hint = near ? ` (did you mean ${near}?)` : "";
    const message = `${name}: unexpected tensor (found ${formatShape(shape)} ${dtype})${hint}`;
    problems.push({ code: "unexpected_tensor", name, message });
  }
  return problems;
}

/** Throws one WeightsError listing every problem; returns quietly when the weights match. */
export function validateWeights(store: TensorSource, expected: Map<string, Shape>, what: string): void {
  const problems = findWeightProblems(store, expected);
  if (problems.length === 0) return;
  throw new WeightsError(errorCode(problems), formatProblems(problems, store, expected, what), { problems });
}

function errorCode(problems: WeightsProblem[]): WeightsErrorCode {
  const code = problems[0].code;
  return problems.every((p) => p.code === code) ? code : "invalid_weights";
}

const KIND: Partial<Record<WeightsErrorCode, string>> = {
  missing_tensor: "missing",
  unexpected_tensor: "unexpected",
  shape_mismatch: "wrong shape",
  unsupported_dtype: "wrong dtype",
};

function formatProblems(
  problems: WeightsProblem[],
  store: TensorSource,
  expected: Map<string, Shape>,
  what: string,
): string {
  const counts = new Map<string, number>();
  for (const p of problems) counts.set(p.code, (counts.get(p.code) ?? 0) + 1);
  const summary = [...counts].map(([code, n]) => `${n} ${KIND[code as WeightsErrorCode] ?? code}`).join(", ");
  const from = store.source ? ` in ${store.source}` : "";
  const lines = [`${what}${from}: ${problems.length} problem(s) (${summary}):`];
  if (counts.get("missing_tensor") === expected.size && expected.size > 1) {
    lines.push("  none of the expected tensors is present: is this the right file for this model config?");
  }
  for (const p of problems.slice(0, MAX_LINES)) lines.push(`  ${p.message}`);
  if (problems.length > MAX_LINES) lines.push(`  … and ${problems.length - MAX_LINES} more`);
  return lines.join("\n");
}
