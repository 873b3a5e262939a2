import { describe, expect, it } from "vitest";
import { jsonSchemaIssues, MAX_INTEGER_BOUNDS, MAX_SCHEMA_DEPTH, MAX_STRING_BOUNDS } from "./json-schema-subset";

const paths = (schema: unknown) => jsonSchemaIssues(schema).map((i) => i.path.join("."));

describe("jsonSchemaIssues", () => {
  it("accepts every supported keyword, nested", () => {
    const schema = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      title: "Person",
      type: "object",
      properties: {
        name: { type: "string", minLength: 1, maxLength: 40, description: "full name" },
        tags: { type: "array", items: { enum: ["a", "b", 3, null] }, minItems: 0, maxItems: 4 },
        nick: { type: ["string", "null"] },
        kind: { const: "person" },
        pet: { anyOf: [{ $ref: "#/$defs/pet" }, { type: "null" }] },
        any: {},
      },
      required: ["name", "tags"],
      additionalProperties: false,
      $defs: { pet: { type: "object", properties: { legs: { type: "integer" } }, additionalProperties: false } },
    };
    expect(jsonSchemaIssues(schema)).toEqual([]);
  });

  it("names every unsupported keyword with its path, in one issue", () => {
    const issues = jsonSchemaIssues({
      type: "object",
      properties: { email: { type: "string", format: "email" }, n: { type: "integer", multipleOf: 2 } },
      patternProperties: {},
    });
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toEqual(["patternProperties"]);
    expect(issues[0].message).toContain("`patternProperties` (at patternProperties)");
    expect(issues[0].message).toContain("`format` (at properties.email.format)");
    expect(issues[0].message).toContain("`multipleOf` (at properties.n.multipleOf)");
  });

  it.each([
    [{ type: "text" }, "type"],
    [{ type: [] }, "type"],
    [{ type: ["string", "string"] }, "type"],
    [{ minLength: -1 }, "minLength"],
    [{ maxItems: 1.5 }, "maxItems"],
    [{ minLength: 3, maxLength: 2 }, "minLength"],
    [{ minItems: 3, maxItems: 2 }, "minItems"],
    [{ enum: [] }, "enum"],
    [{ anyOf: [] }, "anyOf"],
    [{ anyOf: [1] }, "anyOf.0"],
    [{ additionalProperties: true }, "additionalProperties"],
    [{ additionalProperties: { type: "string" } }, "additionalProperties"],
    [{ properties: { a: {} }, required: ["a", "b"] }, "required"],
    [{ required: ["a", "a"], properties: { a: {} } }, "required"],
    [{ $ref: "#/$defs/missing" }, "$ref"],
    [{ $ref: "https://example.com/s.json" }, "$ref"],
    [{ properties: { a: { $defs: {} } } }, "properties.a.$defs"],
    [{ items: "string" }, "items"],
    [{ properties: { 'a"b': {} } }, 'properties.a"b'],
    [{ properties: { "a\\b": {} } }, "properties.a\\b"],
    [{ properties: { "a\nb": {} } }, "properties.a\nb"],
    [{ type: "number", minimum: 0, maximum: 1 }, "minimum"],
    [{ type: ["integer", "number"], exclusiveMinimum: 0 }, "exclusiveMinimum"],
    [{ maximum: 3 }, "maximum"],
    [{ type: "integer", minimum: 0.5 }, "minimum"],
    [{ type: "integer", exclusiveMinimum: true, minimum: 0 }, "exclusiveMinimum"],
    [{ type: "integer", maximum: 2 ** 60 }, "maximum"],
    [{ type: "integer", minimum: 3, exclusiveMaximum: 3 }, "minimum"],
  ])("refuses %j at %s", (schema, path) => {
    expect(paths(schema)).toEqual([path]);
  });

  it("accepts numeric bounds on integers (zod's .int() writes ±(2^53 − 1)), up to MAX_INTEGER_BOUNDS", () => {
    const S = Number.MAX_SAFE_INTEGER;
    const int = { type: "integer", minimum: -S, maximum: S };
    expect(jsonSchemaIssues({ type: "object", properties: { n: int } })).toEqual([]);
    expect(jsonSchemaIssues({ type: ["integer", "null"], exclusiveMinimum: 0, exclusiveMaximum: 10 })).toEqual([]);
    expect(jsonSchemaIssues({ type: "integer", minimum: 5, maximum: 5 })).toEqual([]);
    const many = (n: number) => ({
      type: "object",
      properties: Object.fromEntries(Array.from({ length: n }, (_, i) => [`n${i}`, int])),
    });
    expect(jsonSchemaIssues(many(MAX_INTEGER_BOUNDS))).toEqual([]);
    const [over] = jsonSchemaIssues(many(MAX_INTEGER_BOUNDS + 2));
    expect(over.path).toEqual(["properties", `n${MAX_INTEGER_BOUNDS}`, "minimum"]);
    expect(over.message).toContain(`more than ${MAX_INTEGER_BOUNDS} bounded integers`);
  });

  it("resolves refs in definitions and $defs separately", () => {
    expect(paths({ $ref: "#/definitions/a", definitions: { a: {} } })).toEqual([]);
    expect(paths({ $ref: "#/definitions/a", $defs: { a: {} } })).toEqual(["$ref"]);
  });

  it("bounds the nesting depth", () => {
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i <= MAX_SCHEMA_DEPTH; i++) deep = { type: "array", items: deep };
    expect(jsonSchemaIssues(deep)[0].message).toMatch(/deeper than/);
  });

  it("budgets string length bounds (their compile cost), naming the largest keyword and the cap", () => {
    const str = (bounds: object) => ({ type: "string", ...bounds });
    const obj = (...props: object[]) => ({
      type: "object",
      properties: Object.fromEntries(props.map((p, i) => [`p${i}`, p])),
    });
    // At the budget, and identical bounds counted once (they compile into one rule).
    expect(jsonSchemaIssues(str({ maxLength: MAX_STRING_BOUNDS }))).toEqual([]);
    expect(jsonSchemaIssues(obj(...Array.from({ length: 20 }, () => str({ minLength: 2, maxLength: 40 }))))).toEqual(
      [],
    );
    // Array bounds cost nothing to speak of, at any size.
    expect(jsonSchemaIssues({ type: "array", items: { type: "integer" }, minItems: 100_000 })).toEqual([]);

    const [one] = jsonSchemaIssues(obj({ type: "boolean" }, str({ maxLength: 4096 })));
    expect(one.path).toEqual(["properties", "p1", "maxLength"]);
    expect(one.message).toContain(`at most ${MAX_STRING_BOUNDS}`);
    expect(one.message).toContain("`maxLength` (4096)");
    expect(paths(str({ minLength: MAX_STRING_BOUNDS + 1 }))).toEqual(["minLength"]);
    // Distinct bounds add up: the largest is named.
    const spread = obj(str({ maxLength: 30 }), str({ maxLength: 31 }), str({ minLength: 1, maxLength: 8 }));
    expect(paths(spread)).toEqual(["properties.p1.maxLength"]);
    expect(jsonSchemaIssues(spread)[0].message).toContain("add up to 69");
    // In $defs and anyOf branches too.
    expect(
      paths({ anyOf: [str({ maxLength: 40 }), { $ref: "#/$defs/s" }], $defs: { s: str({ maxLength: 41 }) } }),
    ).toEqual(["$defs.s.maxLength"]);
  });
});
