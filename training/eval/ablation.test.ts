import { describe, expect, it } from "vitest";
import { ablationTable, type EvalResults } from "./ablation";
import { aggregate, type ScoredAnswer } from "./aggregate";
import { answer } from "./scored-answer";

function results(scored: ScoredAnswer[], id = "fp32-fp16"): EvalResults {
  const { tasks, groups } = aggregate(scored);
  return { configs: [{ id, tasks, groups }] };
}

const rowOf = (table: string, label: string) => table.split("\n").find((l) => l.includes(`| ${label} |`));

describe("ablationTable", () => {
  const full = results([
    answer("caption_detailed", true, { replyWords: 30, caption: { objects: 4, named: 3, mentioned: 4, invented: 1 } }),
    answer("arithmetic", true, { followup: true }),
    answer("count", true),
  ]);
  const short = results([
    answer("caption_detailed", false, { replyWords: 6, caption: { objects: 4, named: 1, mentioned: 1, invented: 0 } }),
    answer("arithmetic", false),
    answer("count", true),
  ]);

  it("puts the mixes side by side, with each value's n", () => {
    const t = ablationTable(
      [
        { name: "full", results: full },
        { name: "short", results: short },
      ],
      "fp32-fp16",
    );
    expect(t.split("\n")[0]).toBe("| finding | measure (fp32-fp16) | full | short |");
    expect(rowOf(t, "detailed captions: mean reply words")).toBe(
      "| a | detailed captions: mean reply words | 30.0 (1) | 6.0 (1) |",
    );
    expect(rowOf(t, "detailed captions: objects named")).toBe(
      "| a | detailed captions: objects named | 75.0 % (4) | 25.0 % (4) |",
    );
    expect(rowOf(t, "language-only (all)")).toBe("| b | language-only (all) | 100.0 % (1) | 0.0 % (1) |");
    expect(rowOf(t, "multi-turn follow-ups")).toBe("| b | multi-turn follow-ups | 100.0 % (1) | — (0) |");
    // A task the split lacks is a dash, not a zero.
    expect(rowOf(t, "short captions: mean reply words")).toBe("| a | short captions: mean reply words | — | — |");
  });

  it("names the configuration a results file lacks", () => {
    expect(() =>
      ablationTable([{ name: "vision", results: results([answer("count", true)], "int4-fp16") }], "fp32-fp16"),
    ).toThrow(/vision: no "fp32-fp16" configuration/);
  });
});
