// The JSON Schema subset that constrained decoding (`response_format` json_schema) enforces,
// checked once here for both sides: the edge answers 400 before forwarding, and the runner
// re-checks the internal protocol. A keyword outside the subset is named with its path, never
// silently ignored (the output would then not validate against the schema the client sent).

/** Keywords that shape the generated document. */
export const SCHEMA_KEYWORDS = [
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "enum",
  "const",
  "anyOf",
  "$ref",
  "$defs",
  "definitions",
] as const;

/**
 * Numeric bounds, on `type: "integer"` only: XGrammar builds an exact digit grammar for an integer
 * range, but its decimal ranges are not exact (a number bounded [0, 1] accepted "1.5", one with
 * exclusiveMinimum 0 accepted "0"), so a bounded `number` is refused rather than not enforced.
 * Zod's `.int()` writes ±(2^53 − 1) as the bounds of every integer, which is why they matter.
 */
export const INTEGER_BOUND_KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] as const;

/** Annotations: accepted anywhere, they do not change what is generated. */
export const SCHEMA_ANNOTATIONS = ["title", "description", "$comment", "examples", "default", "$schema"] as const;

export const SCHEMA_TYPES = ["object", "array", "string", "number", "integer", "boolean", "null"] as const;

/** Nesting beyond this is refused (it bounds the checker's and the grammar compiler's recursion). */
export const MAX_SCHEMA_DEPTH = 32;

/**
 * What a schema's string length bounds may add up to. The grammar compiler unrolls a bounded
 * string into one state per character and precomputes each state's token mask over the whole
 * vocab, in one synchronous call that stalls every generation on the runner: measured on the
 * LLaMA vocab (2 shared cores, load ~1), `maxLength` 8 → 0.11 s, 32 → 0.28 s, 64 → 0.6 s,
 * ≥ 256 → 1.65 s, and distinct bounds add up (four strings bounded 61–64: 2.4 s). An unbounded
 * string costs 35 ms and array bounds ~10–45 ms at any size (`minItems` 10⁷ included), so only
 * string bounds are budgeted: each distinct (minLength, maxLength) pair counts its largest bound
 * (identical pairs compile into one rule), and the sum may not pass this — about 0.6 s of compile.
 */
export const MAX_STRING_BOUNDS = 64;

/**
 * How many bounded integers a schema may hold. Each compiles into its own digit grammar: measured
 * on the LLaMA vocab (2 shared cores, load ~6.5), zod's ±(2^53 − 1) range costs 10–20 ms per
 * property (1 → 16–72 ms, 20 → 230–415 ms, 50 → 440–470 ms), a small range (0–100) ~1 ms;
 * MAX_INTEGER_BOUNDS of the costly kind stay within the string-bound budget's ~0.6 s stall.
 */
export const MAX_INTEGER_BOUNDS = 50;

export interface SchemaIssue {
  /** Path inside the schema, e.g. ["properties", "name", "pattern"]. */
  path: (string | number)[];
  message: string;
}

type Path = (string | number)[];
type Json = Record<string, unknown>;

const KNOWN = new Set<string>([...SCHEMA_KEYWORDS, ...INTEGER_BOUND_KEYWORDS, ...SCHEMA_ANNOTATIONS]);
const TYPES = new Set<string>(SCHEMA_TYPES);
const BOUNDS = [
  ["minLength", "maxLength"],
  ["minItems", "maxItems"],
] as const;

// The grammar compiler (XGrammar 0.1.27) aborts on some of these characters in property names.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const UNSAFE_NAME = /["\\\u0000-\u001f]/;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Every problem that keeps `schema` from being enforced by constrained decoding: unsupported
 * keywords (reported together in one issue that names each, at the first one's path), then
 * malformed values of supported keywords. An empty list means the schema can be compiled.
 */
export function jsonSchemaIssues(schema: unknown): SchemaIssue[] {
  const unsupported: Path[] = [];
  const issues: SchemaIssue[] = [];
  const strings = new StringBounds();
  let integers = 0;
  const root = isObject(schema) ? schema : {};
  const visit = (node: unknown, path: Path, depth: number): void => {
    if (depth > MAX_SCHEMA_DEPTH) {
      issues.push({ path, message: `the schema nests deeper than ${MAX_SCHEMA_DEPTH} levels` });
      return;
    }
    if (!isObject(node)) {
      issues.push({ path, message: "a schema must be a JSON object" });
      return;
    }
    for (const key of Object.keys(node)) if (!KNOWN.has(key)) unsupported.push([...path, key]);
    const sub = (child: unknown, ...rest: Path) => visit(child, [...path, ...rest], depth + 1);
    checkType(node.type, path, issues);
    checkObject(node, path, issues, sub);
    if ("items" in node) sub(node.items, "items");
    for (const [min, max] of BOUNDS) checkBounds(node, min, max, path, issues);
    strings.add(node, path);
    if (checkIntegerBounds(node, path, issues) && ++integers === MAX_INTEGER_BOUNDS + 1)
      issues.push({
        path: [...path, INTEGER_BOUND_KEYWORDS.find((k) => k in node)!],
        message: `more than ${MAX_INTEGER_BOUNDS} bounded integers (minimum/maximum/exclusiveMinimum/exclusiveMaximum) in one schema: each compiles into its own digit grammar (up to ~20 ms) and the compile stalls every running generation; drop the bounds of some`,
      });
    if ("enum" in node && (!Array.isArray(node.enum) || node.enum.length === 0))
      issues.push({ path: [...path, "enum"], message: "enum must be a non-empty array" });
    if ("anyOf" in node) {
      if (!Array.isArray(node.anyOf) || node.anyOf.length === 0)
        issues.push({ path: [...path, "anyOf"], message: "anyOf must be a non-empty array of schemas" });
      else
        node.anyOf.forEach((s, i) => {
          sub(s, "anyOf", i);
        });
    }
    for (const key of ["$defs", "definitions"] as const) {
      if (!(key in node)) continue;
      if (!isObject(node[key])) issues.push({ path: [...path, key], message: `${key} must be an object of schemas` });
      else if (path.length > 0) issues.push({ path: [...path, key], message: `${key} is supported at the root only` });
      else for (const [name, s] of Object.entries(node[key])) sub(s, key, name);
    }
    if ("$ref" in node) checkRef(node.$ref, root, [...path, "$ref"], issues);
  };
  visit(schema, [], 0);
  issues.push(...strings.issues());
  if (unsupported.length === 0) return issues;
  const named = unsupported.map((p) => `\`${p.at(-1)}\` (at ${p.join(".")})`).join(", ");
  const message = `unsupported JSON Schema keyword${unsupported.length > 1 ? "s" : ""} ${named}; constrained decoding supports ${SCHEMA_KEYWORDS.join(", ")}, ${INTEGER_BOUND_KEYWORDS.join(", ")} on integers (and the annotations ${SCHEMA_ANNOTATIONS.join(", ")})`;
  return [{ path: unsupported[0], message }, ...issues];
}

function asObject(v: unknown): Json {
  return isObject(v) ? v : {};
}

function checkType(type: unknown, path: Path, issues: SchemaIssue[]): void {
  if (type === undefined) return;
  const list = Array.isArray(type) ? type : [type];
  const valid = list.length > 0 && list.every((t) => typeof t === "string" && TYPES.has(t));
  if (!valid || new Set(list).size !== list.length)
    issues.push({
      path: [...path, "type"],
      message: `type must be one of ${SCHEMA_TYPES.join(", ")} or a non-empty array of distinct ones`,
    });
}

function checkObject(
  node: Json,
  path: Path,
  issues: SchemaIssue[],
  sub: (child: unknown, ...rest: Path) => void,
): void {
  const props = node.properties;
  if (props !== undefined) {
    if (!isObject(props)) issues.push({ path: [...path, "properties"], message: "properties must be an object" });
    else
      for (const [name, s] of Object.entries(props)) {
        if (UNSAFE_NAME.test(name))
          issues.push({
            path: [...path, "properties", name],
            message: "property names with a double quote, a backslash or a control character are not supported",
          });
        sub(s, "properties", name);
      }
  }
  if ("additionalProperties" in node && node.additionalProperties !== false)
    issues.push({
      path: [...path, "additionalProperties"],
      message: "only `additionalProperties: false` is supported: properties outside `properties` are never generated",
    });
  const required = node.required;
  if (required === undefined) return;
  if (
    !Array.isArray(required) ||
    !required.every((r) => typeof r === "string") ||
    new Set(required).size !== required.length
  ) {
    issues.push({ path: [...path, "required"], message: "required must be an array of distinct property names" });
    return;
  }
  const missing = required.filter((r) => !isObject(props) || !Object.hasOwn(props, r));
  if (missing.length)
    issues.push({
      path: [...path, "required"],
      message: `required names ${missing.map((m) => `\`${m}\``).join(", ")}, which properties does not define (no other property can be generated)`,
    });
}

function checkBounds(node: Json, min: string, max: string, path: Path, issues: SchemaIssue[]): void {
  for (const key of [min, max]) {
    const v = node[key];
    if (v !== undefined && !(Number.isSafeInteger(v) && (v as number) >= 0))
      issues.push({ path: [...path, key], message: `${key} must be a non-negative integer` });
  }
  const lo = node[min];
  const hi = node[max];
  if (typeof lo === "number" && typeof hi === "number" && lo > hi)
    issues.push({ path: [...path, min], message: `${min} (${lo}) must not exceed ${max} (${hi})` });
}

/** Whether `node` is an integer with valid numeric bounds; any misuse of them is an issue. */
function checkIntegerBounds(node: Json, path: Path, issues: SchemaIssue[]): boolean {
  const keys = INTEGER_BOUND_KEYWORDS.filter((k) => k in node);
  if (keys.length === 0) return false;
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (!types.includes("integer") || types.includes("number")) {
    issues.push({
      path: [...path, keys[0]],
      message: `numeric bounds (${keys.join(", ")}) are enforced on integers only (\`type: "integer"\`, alone or with non-numeric types): the grammar compiler's decimal ranges are not exact. Bound an integer, or drop the bound`,
    });
    return false;
  }
  const bad = keys.filter((k) => !Number.isSafeInteger(node[k]));
  for (const k of bad) issues.push({ path: [...path, k], message: `${k} must be an integer within ±(2^53 − 1)` });
  if (bad.length) return false;
  const n = (k: string) => node[k] as number | undefined;
  const lo = Math.max(n("minimum") ?? -Infinity, (n("exclusiveMinimum") ?? -Infinity) + 1);
  const hi = Math.min(n("maximum") ?? Infinity, (n("exclusiveMaximum") ?? Infinity) - 1);
  if (lo > hi) {
    issues.push({ path: [...path, keys[0]], message: `no integer lies within these bounds (${keys.join(", ")})` });
    return false;
  }
  return true;
}

/** The distinct string length bounds of a schema, against MAX_STRING_BOUNDS. */
class StringBounds {
  private readonly pairs = new Map<string, { cost: number; path: Path; key: string }>();

  add(node: Json, path: Path): void {
    const { minLength: lo, maxLength: hi } = node;
    const valid = (v: unknown): v is number | undefined => v === undefined || Number.isSafeInteger(v);
    if ((lo === undefined && hi === undefined) || !valid(lo) || !valid(hi)) return;
    const key = hi === undefined ? "minLength" : "maxLength";
    const cost = (hi ?? lo) as number;
    const pair = `${lo}/${hi}`;
    if (!this.pairs.has(pair)) this.pairs.set(pair, { cost, path: [...path, key], key });
  }

  issues(): SchemaIssue[] {
    const all = [...this.pairs.values()];
    const total = all.reduce((sum, p) => sum + p.cost, 0);
    if (total <= MAX_STRING_BOUNDS) return [];
    const largest = all.reduce((a, b) => (b.cost > a.cost ? b : a));
    return [
      {
        path: largest.path,
        message: `string length bounds (minLength/maxLength) add up to ${total} across the schema (each distinct pair counts its largest bound); at most ${MAX_STRING_BOUNDS} are accepted, because the grammar compiler spends ~9 ms per bounded character and stalls every running generation meanwhile. Lower or drop \`${largest.key}\` (${largest.cost}) here (an unbounded string compiles in ~35 ms) and bound the reply with the token limit instead`,
      },
    ];
  }
}

function checkRef(ref: unknown, root: Json, path: Path, issues: SchemaIssue[]): void {
  const m = typeof ref === "string" ? /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref) : null;
  if (!m) {
    issues.push({ path, message: "$ref must point into the root's $defs or definitions (#/$defs/<name>)" });
    return;
  }
  const name = m[2].replaceAll("~1", "/").replaceAll("~0", "~");
  const defs = asObject(root[m[1]]);
  if (!Object.hasOwn(defs, name)) issues.push({ path, message: `$ref ${ref} does not resolve` });
}
