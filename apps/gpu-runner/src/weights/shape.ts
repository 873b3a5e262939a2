// Small helpers over tensor shapes shared by the reader, the validator and the generator:
// element counts that refuse to overflow silently, equality, and the one printed form.
import type { Shape } from "./names.js";

/** Number of elements; a scalar shape [] has one. Throws if not a safe integer. */
export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  if (!Number.isSafeInteger(n)) throw new RangeError(`shape [${shape.join(", ")}] has too many elements`);
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The printed form used in every message: `[64, 32]`. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** Total parameter count of a name → shape table. */
export function countParams(shapes: Iterable<Shape> | Map<string, Shape>): number {
  const values = shapes instanceof Map ? shapes.values() : shapes;
  let n = 0;
  for (const s of values) n += numel(s);
  return n;
}
