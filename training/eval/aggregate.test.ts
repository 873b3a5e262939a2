import { describe, expect, it } from "vitest";
import { type Aggregate, aggregate, checkGoals, int4Gap, type ScoredAnswer } from "./aggregate";
import { answer } from "./scored-answer";

const many = (task: string, right: number, wrong: number, extra: Partial<ScoredAnswer> = {}) => [
  ...Array.from({ length: right }, () => answer(task, true, extra)),
  ...Array.from({ length: wrong }, () => answer(task, false, extra)),
];

describe("aggregate", () => {
  it("counts accuracy per task and per group", () => {
    const agg = aggregate([
      ...many("count", 3, 1),
      ...many("count", 1, 1, { followup: true }),
      ...many("arithmetic", 2, 0, { heldoutPhrasing: true }),
      ...many("greeting", 0, 2, { followup: true, error: true }),
    ]);
    expect(Object.keys(agg.tasks)).toEqual(["count", "arithmetic", "greeting"]);
    expect(agg.tasks.count).toMatchObject({ n: 6, correct: 4, errors: 0 });
    expect(agg.tasks.count.accuracy).toBeCloseTo(4 / 6);
    expect(agg.groups.vision).toMatchObject({ n: 6, correct: 4 });
    expect(agg.groups.language).toMatchObject({ n: 4, correct: 2, accuracy: 0.5, errors: 2 });
    expect(agg.groups.followups).toMatchObject({ n: 4, correct: 1, accuracy: 0.25 });
    expect(agg.groups.heldout).toMatchObject({ n: 2, correct: 2, accuracy: 1 });
    expect(agg.groups.all).toMatchObject({ n: 10, correct: 6, accuracy: 0.6 });
  });

  it("sums caption recall and invented mentions over the row's captions", () => {
    const caption = (objects: number, named: number, mentioned: number, invented: number) =>
      answer("caption_detailed", named === objects && invented === 0, {
        caption: { objects, named, mentioned, invented },
      });
    const agg = aggregate([caption(4, 4, 4, 0), caption(6, 3, 5, 2), caption(2, 0, 0, 0)]);
    expect(agg.tasks.caption_detailed.caption).toEqual({
      objects: 12,
      named: 7,
      recall: 7 / 12,
      mentioned: 9,
      invented: 2,
      inventedShare: 2 / 9,
    });
    expect(aggregate([caption(3, 0, 0, 0)]).tasks.caption_detailed.caption?.inventedShare).toBeNull();
  });
});

describe("checkGoals", () => {
  const goals = (agg: Aggregate) => Object.fromEntries(checkGoals(agg).map((g) => [g.label, g.met]));

  it("meets a goal at its threshold and misses it just below", () => {
    const at = goals(aggregate([...many("count", 9, 1), ...many("color", 19, 1), ...many("kind", 18, 2)]));
    expect(at["counting ≥ 90 %"]).toBe(true);
    expect(at["color ≥ 95 %"]).toBe(true);
    expect(at["kind ≥ 95 %"]).toBe(false);
  });

  it("judges captions on recall and on invented share (< 5 %, so exactly 5 % misses)", () => {
    const captions = (mentioned: number, invented: number) =>
      aggregate([answer("caption_detailed", false, { caption: { objects: 10, named: 9, mentioned, invented } })]);
    const fine = goals(captions(40, 1));
    expect(fine["detailed captions name ≥ 90 % of objects (color + kind)"]).toBe(true);
    expect(fine["detailed captions invent < 5 % of their mentions"]).toBe(true);
    expect(goals(captions(20, 1))["detailed captions invent < 5 % of their mentions"]).toBe(false);
    // Captions that mention nothing invent nothing, but silence does not meet the goal either.
    expect(goals(captions(0, 0))["detailed captions invent < 5 % of their mentions"]).toBeNull();
  });

  it("judges follow-ups and language-only as groups, and leaves goals without answers unjudged", () => {
    const result = goals(aggregate([...many("count", 9, 1, { followup: true }), ...many("reverse", 1, 1)]));
    expect(result["multi-turn follow-ups ≥ 90 %"]).toBe(true);
    expect(result["language-only ≥ 90 %"]).toBe(false);
    expect(result["position ≥ 90 %"]).toBeNull();
    expect(result["two-image comparison ≥ 90 %"]).toBeNull();
  });
});

describe("int4Gap", () => {
  const agg = (count: number, color: number) =>
    aggregate([...many("count", count, 100 - count), ...many("color", color, 100 - color)]);

  it("passes when every task is within 3 points of fp32, and names the worst task", () => {
    const gap = int4Gap(agg(90, 97), agg(93, 95));
    expect(gap.points).toEqual({ count: -3, color: 2 });
    expect(gap).toMatchObject({ met: true, worst: { task: "count", points: -3 } });
  });

  it("fails on a drop of more than 3 points, and on a rise of more than 3 (the two must agree)", () => {
    expect(int4Gap(agg(89, 95), agg(93, 95))).toMatchObject({ met: false, worst: { task: "count", points: -4 } });
    expect(int4Gap(agg(93, 99), agg(93, 95))).toMatchObject({ met: false, worst: { task: "color", points: 4 } });
  });

  it("compares only tasks both runs answered", () => {
    expect(int4Gap(aggregate(many("count", 1, 1)), aggregate(many("color", 1, 0)))).toEqual({
      points: {},
      worst: null,
      met: null,
    });
  });
});
