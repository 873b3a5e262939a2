import { describe, expect, it } from "vitest";
import type { Shape } from "./names.js";
import { weightsErrorOf } from "./test-util.js";
import { type TensorSource, validateWeights } from "./validate.js";

/** An in-memory source: validation only looks at names, shapes and dtypes. */
function source(entries: Record<string, Shape | [Shape, string]>): TensorSource {
  const map = new Map(
    Object.entries(entries).map(([n, v]) =>
      Array.isArray(v[0])
        ? [n, { shape: v[0] as Shape, dtype: v[1] as string }]
        : [n, { shape: v as Shape, dtype: "F32" }],
    ),
  );
  return { source: "test.safetensors", names: () => map.keys(), info: (n) => map.get(n)! };
}

const Q = "model.layers.0.self_attn.q_proj.weight";
const K = "model.layers.0.self_attn.k_proj.weight";
const expected = new Map<string, Shape>([
  [Q, [64, 64]],
  [K, [64, 64]],
]);

describe("validateWeights", () => {
  it("accepts matching weights", () => {
    expect(() => validateWeights(source({ [Q]: [64, 64], [K]: [64, 64] }), expected, "base")).not.toThrow();
  });

  it("reports a wrong shape by name with expected and found", () => {
    const e = weightsErrorOf(() => validateWeights(source({ [Q]: [64, 32], [K]: [64, 64] }), expected, "base weights"));
    expect(e.code).toBe("shape_mismatch");
    expect(e.message).toContain(`${Q}: expected [64, 64], found [64, 32]`);
    expect(e.message).toMatch(/^base weights in test\.safetensors: 1 problem/);
  });

  it("reports a missing tensor with its expected shape", () => {
    const e = weightsErrorOf(() => validateWeights(source({ [Q]: [64, 64] }), expected, "base"));
    expect(e.code).toBe("missing_tensor");
    expect(e.message).toContain(`${K}: missing (expected [64, 64])`);
  });

  it("reports an unexpected tensor, hinting at a prefix slip", () => {
    const e = weightsErrorOf(() =>
      validateWeights(source({ [Q]: [64, 64], [`module.${K}`]: [64, 64], extra: [3] }), expected, "base"),
    );
    expect(e.code).toBe("invalid_weights");
    expect(e.problems.map((p) => [p.code, p.name])).toEqual([
      ["missing_tensor", K],
      ["unexpected_tensor", "extra"],
      ["unexpected_tensor", `module.${K}`],
    ]);
    expect(e.message).toContain("extra: unexpected tensor (found [3] F32)");
    expect(e.message).toContain(`module.${K}: unexpected tensor (found [64, 64] F32) (did you mean ${K}?)`);
    expect(e.message).toContain("3 problem(s) (1 missing, 2 unexpected)");
  });

  it("flags an integer dtype where a weight is expected", () => {
    const e = weightsErrorOf(() =>
      validateWeights(source({ [Q]: [[64, 64], "I64"], [K]: [64, 64] }), expected, "base"),
    );
    expect(e.code).toBe("unsupported_dtype");
    expect(e.message).toContain(`${Q}: dtype I64 is not a float weight dtype`);
  });

  it("lists every problem but prints a readable number of lines with a count", () => {
    const many = new Map<string, Shape>(Array.from({ length: 50 }, (_, i) => [`t.${i}`, [i + 1]] as const));
    const e = weightsErrorOf(() => validateWeights(source({}), many, "lora"));
    expect(e.problems).toHaveLength(50);
    const lines = e.message.split("\n");
    expect(lines.length).toBeLessThan(25);
    expect(lines.at(-1)).toBe("  … and 30 more");
    expect(e.message).toContain("none of the expected tensors is present");
  });
});
