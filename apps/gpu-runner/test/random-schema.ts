// Random JSON schemas from the subset constrained decoding supports (common/json-schema-subset):
// objects with required and optional properties, arrays with item bounds, strings with length
// bounds, numbers, integers, booleans, null, enums, consts, anyOf and $defs references.

type Schema = Record<string, unknown>;

/** `rnd` returns floats in [0, 1) (e.g. mulberry32). Strings are mostly bounded so documents end. */
export function randomSchema(rnd: () => number, maxDepth = 3): Schema {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const defs: Record<string, Schema> = {};
  const node = (depth: number): Schema => {
    const leaf = ["string", "string", "number", "integer", "boolean", "null", "enum", "const", "nullable"];
    const kind = pick(depth >= maxDepth ? leaf : [...leaf, "array", "object", "object", "anyOf", "ref"]);
    switch (kind) {
      case "string": {
        const minLength = rnd() < 0.4 ? int(0, 3) : undefined;
        const maxLength = rnd() < 0.85 ? (minLength ?? 0) + int(0, 6) : undefined;
        return {
          type: "string",
          ...(minLength === undefined ? {} : { minLength }),
          ...(maxLength === undefined ? {} : { maxLength }),
        };
      }
      case "enum": {
        const values = ["a", "b c", 'q"uote', "back\\slash", "é✓", "tab\there", 1, 2.5, -3, true, false, null];
        return { enum: [...new Set(Array.from({ length: int(1, 4) }, () => pick(values)))] };
      }
      case "const":
        return { const: pick(["x", 7, false, null, "new\nline"]) };
      case "nullable":
        return { type: [pick(["string", "integer", "boolean"]), "null"], ...(rnd() < 0.8 ? { maxLength: 4 } : {}) };
      case "array": {
        const minItems = rnd() < 0.5 ? int(0, 2) : undefined;
        const maxItems = (minItems ?? 0) + int(0, 3);
        return { type: "array", items: node(depth + 1), ...(minItems === undefined ? {} : { minItems }), maxItems };
      }
      case "object": {
        const properties: Record<string, Schema> = {};
        const required: string[] = [];
        for (let i = 0, n = int(0, 4); i < n; i++) {
          const name = `${pick(["a", "name", "x y", "ü", "it's", "k"])}${i}`;
          properties[name] = node(depth + 1);
          if (rnd() < 0.6) required.push(name);
        }
        return { type: "object", properties, required, additionalProperties: false };
      }
      case "anyOf":
        return { anyOf: Array.from({ length: int(2, 3) }, () => node(depth + 1)) };
      case "ref": {
        const name = `d${Object.keys(defs).length}`;
        defs[name] = {}; // claimed before the recursion, which may add defs of its own
        defs[name] = node(depth + 1);
        return { $ref: `#/$defs/${name}` };
      }
      default:
        return { type: kind };
    }
  };
  const root = node(0);
  return Object.keys(defs).length ? { ...root, $defs: defs } : root;
}
