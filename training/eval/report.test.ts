import { describe, expect, it } from "vitest";
import { aggregate, checkGoals, int4Gap, type ScoredAnswer } from "./aggregate";
import { CONFIGS } from "./configs";
import { type ConfigResult, markdownTable } from "./report";

const answers = (task: string, right: number, wrong: number, extra: Partial<ScoredAnswer> = {}): ScoredAnswer[] =>
  Array.from({ length: right + wrong }, (_, i) => ({
    task,
    correct: i < right,
    followup: false,
    heldoutPhrasing: false,
    error: false,
    replyWords: 3,
    ...extra,
  }));

function result(id: string, scored: ScoredAnswer[]): ConfigResult {
  const agg = aggregate(scored);
  return {
    config: CONFIGS.find((c) => c.id === id)!,
    aggregate: agg,
    goals: checkGoals(agg),
    int4: null,
    startSeconds: 10,
    askSeconds: 20,
    requests: scored.length,
    errors: scored.filter((s) => s.error).length,
    rateLimit: 1e9,
  };
}

const rowOf = (table: string, label: string) => table.split("\n").find((l) => l.startsWith(`| ${label} |`));

describe("markdownTable", () => {
  const fp32 = result("fp32-fp16", [
    ...answers("count", 19, 1),
    ...answers("caption_detailed", 1, 1, { caption: { objects: 5, named: 4, mentioned: 5, invented: 1 } }),
    ...answers("arithmetic", 3, 1, { followup: true }),
  ]);
  const int4 = result("int4-fp16", [
    ...answers("count", 17, 3),
    ...answers("caption_detailed", 1, 1, { caption: { objects: 5, named: 4, mentioned: 5, invented: 1 } }),
    ...answers("arithmetic", 1, 2, { followup: true }),
    ...answers("arithmetic", 0, 1, { followup: true, error: true }),
  ]);
  int4.int4 = int4Gap(int4.aggregate, fp32.aggregate);
  const table = markdownTable([fp32, int4]);

  it("has a column per configuration, n per row and each goal marked met or not", () => {
    expect(table.split("\n")[0]).toBe("| task | n | fp32 · fp16 KV | int4 · fp16 KV | goal |");
    expect(rowOf(table, "count")).toBe("| count | 20 | 95.0 % ✓ | 85.0 % ✗ | ≥ 90 % |");
    expect(rowOf(table, "arithmetic")).toBe("| arithmetic | 4 | 75.0 % | 25.0 % |  |");
    expect(rowOf(table, "language-only (all)")).toBe("| language-only (all) | 4 | 75.0 % ✗ | 25.0 % ✗ | ≥ 90 % |");
    expect(rowOf(table, "multi-turn follow-ups")).toBe("| multi-turn follow-ups | 4 | 75.0 % ✗ | 25.0 % ✗ | ≥ 90 % |");
  });

  it("shows caption recall over objects and invented mentions with their counts", () => {
    expect(rowOf(table, "caption_detailed: objects named")).toBe(
      "| caption_detailed: objects named | 10 | 80.0 % ✗ | 80.0 % ✗ | ≥ 90 % |",
    );
    expect(rowOf(table, "caption_detailed: mentions invented")).toBe(
      "| caption_detailed: mentions invented | 10 | 20.0 % (2/10) ✗ | 20.0 % (2/10) ✗ | < 5 % |",
    );
  });

  it("leaves tasks the split lacks out, counts goals met of those judged, and reports int4's worst gap and errors", () => {
    expect(rowOf(table, "position")).toBeUndefined();
    expect(rowOf(table, "**goals met**")).toBe("| **goals met** |  | 1 / 5 | 0 / 5 | of 10 |");
    expect(rowOf(table, "int4 vs fp32 (same KV type)")).toBe(
      "| int4 vs fp32 (same KV type) |  |  | ✗ worst -50.0 (arithmetic) | every task within ±3 points |",
    );
    expect(rowOf(table, "request errors")).toBe("| request errors |  | 0 | 1 | counted as wrong |");
  });

  it("has no int4 row when only fp32 ran, and says so when int4 ran without its fp32 twin", () => {
    expect(rowOf(markdownTable([fp32]), "int4 vs fp32 (same KV type)")).toBeUndefined();
    expect(
      rowOf(markdownTable([result("int4-fp32", answers("count", 1, 0))]), "int4 vs fp32 (same KV type)"),
    ).toContain("— (no fp32 run)");
  });
});
