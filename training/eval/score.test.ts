import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CaptionScore, LANGUAGE_TASKS, ScoreError, scoreAnswer, VISION_TASKS } from "./score";

const right = (task: string, truth: Record<string, unknown>, reply: string) =>
  expect(scoreAnswer(task, truth, reply).correct, reply).toBe(true);
const wrong = (task: string, truth: Record<string, unknown>, reply: string) =>
  expect(scoreAnswer(task, truth, reply).correct, reply).toBe(false);

describe("counting", () => {
  const three = { number: 3, kind: "triangle" };
  it("reads digits and words, whatever the wording", () => {
    for (const reply of ["There are 3 triangles.", "3", "three", "I count Three triangles in this picture."])
      right("count", three, reply);
    expect(scoreAnswer("count", three, "There are three triangles.").parsed).toBe(3);
  });
  it("rejects another number, no number, and hedges", () => {
    for (const reply of ["There are 4 triangles.", "There are some triangles.", "2 or 3", "3 or 4 triangles", ""])
      wrong("count", three, reply);
  });
  it("lets the first stated number decide", () => {
    right("count", three, "There are 3 triangles and 2 circles.");
    wrong("count", three, "There are 2 circles and 3 triangles.");
  });
  it("reads no and none as zero, and 'there is a' as one", () => {
    right("count", { number: 0, color: "red" }, "There are no red objects.");
    right("count", { number: 0, color: "red" }, "None.");
    right("count", { number: 0, color: "red" }, "There are 0 red objects.");
    wrong("count", { number: 0, color: "red" }, "No, there are 2 red objects.");
    right("count", { number: 1, kind: "circle" }, "There is a circle.");
    wrong("count", { number: 2, kind: "circle" }, "There is a circle.");
    right("count", { number: 12 }, "twelve");
  });
});

describe("color, kind and position", () => {
  it("color: the first color named, violet as purple", () => {
    right("color", { color: "red", kind: "triangle" }, "The triangle is red.");
    right("color", { color: "purple", kind: "circle" }, "It is violet.");
    wrong("color", { color: "red", kind: "triangle" }, "The triangle is orange.");
    wrong("color", { color: "red", kind: "triangle" }, "red or orange");
    wrong("color", { color: "red", kind: "triangle" }, "It is a triangle.");
  });
  it("kind: singular, plural and adjectives", () => {
    right("kind", { kind: "triangle", color: "red" }, "The red object is a triangle.");
    right("kind", { kind: "circle", color: "red" }, "circles");
    right("kind", { kind: "triangle", color: "red" }, "It is triangular.");
    wrong("kind", { kind: "triangle", color: "red" }, "The red object is a square.");
    wrong("kind", { kind: "triangle", color: "red" }, "a square or a triangle");
  });
  it("position: corners, edges and center in several wordings", () => {
    const topLeft = { position: "top left", kind: "circle" };
    for (const reply of [
      "in the top left corner",
      "It's at the upper-left.",
      "Top left.",
      "The circle is in the top-left.",
    ])
      right("position", topLeft, reply);
    for (const reply of ["at the top", "on the left", "in the bottom left corner", "top right"])
      wrong("position", topLeft, reply);
    right("position", { position: "center" }, "It sits in the middle.");
    right("position", { position: "center" }, "in the centre");
    right("position", { position: "left" }, "middle left");
    right("position", { position: "bottom" }, "at the bottom center");
    right("position", { position: "right" }, "The blue circle is on the right.");
    wrong("position", { position: "right" }, "top right or right");
  });
});

describe("existence and comparison", () => {
  it("exists: the first yes or no decides", () => {
    right("exists", { answer: "yes" }, "Yes, there is a red circle.");
    right("exists", { answer: "yes" }, "There is a red circle in the top left corner.");
    right("exists", { answer: "no" }, "No, there is no blue square.");
    right("exists", { answer: "no" }, "There isn't one.");
    right("exists", { answer: "no" }, "I do not see a blue square.");
    wrong("exists", { answer: "no" }, "Yes, there is a blue square.");
    wrong("exists", { answer: "yes" }, "No.");
    wrong("exists", { answer: "yes" }, "Maybe.");
  });
  it("compare: first, second or the same", () => {
    right("compare", { answer: "first" }, "The first image has more circles.");
    right("compare", { answer: "first" }, "The first image has more circles than the second.");
    right("compare", { answer: "second" }, "The second one.");
    right("compare", { answer: "second" }, "Image 2 has more.");
    right("compare", { answer: "same" }, "Both images have the same number of red objects.");
    right("compare", { answer: "same" }, "They are equal.");
    right("compare", { answer: "same" }, "same");
    wrong("compare", { answer: "first" }, "The second image has more circles than the first.");
    wrong("compare", { answer: "same" }, "The first image has more.");
    wrong("compare", { answer: "first" }, "first or second");
    wrong("compare", { answer: "first" }, "I cannot tell.");
  });
});

describe("captions", () => {
  const objects = [
    { kind: "circle", color: "red", position: "top left" },
    { kind: "square", color: "blue", position: "center" },
    { kind: "square", color: "blue", position: "bottom" },
  ];
  const caption = (reply: string) => scoreAnswer("caption_detailed", { objects }, reply) as CaptionScore;

  it("counts every object named with its color and place", () => {
    const s = caption(
      "There are 3 objects in this image. In the top left corner there is a red circle. In the center there is a blue square. At the bottom there is a blue square. The background is plain and dark.",
    );
    expect(s).toMatchObject({
      correct: true,
      objects: 3,
      named: 3,
      recall: 1,
      positioned: 3,
      mentioned: 3,
      invented: 0,
    });
  });
  it("reads counts in mentions and scores positions apart", () => {
    const s = caption("A red circle and two blue squares on a light background.");
    expect(s).toMatchObject({ correct: true, named: 3, positioned: 0, invented: 0 });
    expect(caption("Red circle, blue squares.")).toMatchObject({ named: 3, invented: 0 });
    const misplaced = caption("On the right there is a red circle. In the center there is a blue square.");
    expect(misplaced).toMatchObject({ correct: false, named: 2, recall: 2 / 3, positioned: 1, invented: 0 });
  });
  it("counts invented objects and a wrong color as both missed and invented", () => {
    const s = caption("There is a red circle, a green triangle and three blue squares.");
    expect(s).toMatchObject({ correct: false, named: 3, mentioned: 5, invented: 2 });
    const recolored = caption("A yellow circle and two blue squares.");
    expect(recolored).toMatchObject({ named: 2, invented: 1 });
    expect(caption("Some colored shapes.")).toMatchObject({ named: 0, recall: 0, mentioned: 0, invented: 0 });
  });
});

describe("language-only tasks", () => {
  it("arithmetic: the last number is the result", () => {
    const truth = { answer: "12", number: 12, a: 7, b: 5, op: "+" };
    for (const reply of ["7 plus 5 is 12.", "12", "The answer is twelve.", "7 + 5 = 12"])
      right("arithmetic", truth, reply);
    for (const reply of ["7 plus 5 is 13.", "12 or 13", "seven plus five", "I don't know."])
      wrong("arithmetic", truth, reply);
  });
  it("reverse: the reversed word, also spelled out letter by letter", () => {
    const truth = { answer: "elppa", word: "apple" };
    for (const reply of ['"apple" spelled backwards is "elppa".', "elppa", "E-L-P-P-A", "e l p p a"])
      right("reverse", truth, reply);
    for (const reply of ["apple", "elpap", "It is elppa, or maybe elpap.", ""]) wrong("reverse", truth, reply);
    right("reverse", { answer: "level", word: "level" }, "level");
  });
  it("letter counts, shape facts and color mixing", () => {
    right(
      "letter_count",
      { answer: "3", number: 3, word: "banana", letter: "a" },
      'The letter "a" appears 3 times in "banana".',
    );
    right("letter_count", { answer: "0", number: 0, word: "apple", letter: "z" }, 'There is no "z" in "apple".');
    wrong("letter_count", { answer: "6", number: 6, word: "banana" }, 'The word "banana" has 7 letters.');
    right("shape_facts", { answer: "0", number: 0, kind: "circle", fact: "corners" }, "A circle has no corners.");
    right("shape_facts", { answer: "4", number: 4, kind: "square", fact: "sides" }, "A square has four sides.");
    wrong("shape_facts", { answer: "3", number: 3, kind: "triangle", fact: "sides" }, "A triangle has 4 sides.");
    right(
      "shape_facts",
      { answer: "square", kind: "square", fact: "more_corners" },
      "A square has more corners than a triangle.",
    );
    wrong(
      "shape_facts",
      { answer: "square", kind: "square", fact: "more_corners" },
      "A triangle has more corners than a square.",
    );
    const mix = { answer: "purple", color: "purple", inputs: ["red", "blue"] };
    for (const reply of ["Mixing red and blue gives purple.", "purple", "You get violet."])
      right("color_mixing", mix, reply);
    for (const reply of ["Mixing red and blue gives green.", "red", "purple or green"])
      wrong("color_mixing", mix, reply);
  });
  it("greetings are answered in kind, briefly", () => {
    right("greeting", { kind: "hello" }, "Hello! How can I help you today?");
    right("greeting", { kind: "hello" }, "Hi there.");
    right("greeting", { kind: "thanks" }, "You’re welcome!");
    right("greeting", { kind: "bye" }, "Goodbye! Have a nice day.");
    wrong("greeting", { kind: "hello" }, "Goodbye!");
    wrong("greeting", { kind: "thanks" }, "Hello! How can I help you today?");
    wrong("greeting", { kind: "hello" }, "Hello and goodbye.");
    wrong("greeting", { kind: "hello" }, `Hello! ${"There are 3 circles. ".repeat(5)}`);
  });
  it("lists: the right number of distinct items from the category; number runs exactly", () => {
    const fruits = {
      category: "fruits",
      number: 3,
      items: ["apple", "pear", "plum"],
      allowed: ["apple", "pear", "plum", "peach"],
    };
    right("list", fruits, "Apple, pear and peach.");
    right("list", fruits, "Apples, pears and plums.");
    wrong("list", fruits, "Apple and pear.");
    wrong("list", fruits, "Apple, apple and pear.");
    wrong("list", fruits, "Apple, pear, plum and peach.");
    const run = { category: "numbers", items: ["4", "5", "6", "7"], ordered: true };
    right("list", run, "4, 5, 6, 7.");
    right("list", run, "four, five, six, seven");
    wrong("list", run, "4, 5, 7.");
    wrong("list", run, "4, 5, 6, 7, 8.");
  });
});

describe("the right value said of the wrong subject is wrong", () => {
  it("vision answers must be about the object asked about", () => {
    const s = (task: string, truth: Record<string, unknown>, reply: string) => scoreAnswer(task, truth, reply).correct;
    expect(s("kind", { kind: "triangle", color: "yellow" }, "The yellow object is a triangle.")).toBe(true);
    expect(s("kind", { kind: "triangle", color: "yellow" }, "The orange object is a triangle.")).toBe(false);
    expect(s("color", { color: "red", kind: "square" }, "The triangle is red.")).toBe(false);
    expect(s("position", { position: "left", kind: "square" }, "The white circle is on the left.")).toBe(false);
    expect(s("count", { number: 2, kind: "circle", color: "red" }, "There are 2 blue circles.")).toBe(false);
    expect(s("count", { number: 2, kind: "circle", color: "red" }, "There are 2 red circles.")).toBe(true);
    expect(s("exists", { answer: "no", kind: "square", color: "blue" }, "No, there is no green square.")).toBe(false);
    expect(
      s("compare", { answer: "second", counts: [1, 2], kind: "circle" }, "The second image has more squares."),
    ).toBe(false);
  });

  it("language answers must be about the word, letter, operands and colors asked about", () => {
    const s = (task: string, truth: Record<string, unknown>, reply: string) => scoreAnswer(task, truth, reply).correct;
    const lc = { answer: 'The letter "o" appears 1 time in "monkey".', number: 1, word: "monkey", letter: "o" };
    expect(s("letter_count", lc, lc.answer)).toBe(true);
    expect(s("letter_count", lc, 'The letter "e" appears 1 time in "sugar".')).toBe(false);
    const ar = { answer: "8 plus 11 is 19.", number: 19, a: 8, b: 11, op: "+" };
    expect(s("arithmetic", ar, ar.answer)).toBe(true);
    expect(s("arithmetic", ar, "3 plus 16 is 19.")).toBe(false);
    expect(s("arithmetic", ar, "19")).toBe(true);
    const mix = { answer: "Mixing yellow and red gives orange.", color: "orange", inputs: ["yellow", "red"] };
    expect(s("color_mixing", mix, mix.answer)).toBe(true);
    expect(s("color_mixing", mix, "Mixing blue and yellow gives orange.")).toBe(false);
  });
});

describe("bad input", () => {
  it("throws ScoreError for an unknown task or an incomplete truth", () => {
    expect(() => scoreAnswer("juggling", {}, "hi")).toThrow(ScoreError);
    expect(() => scoreAnswer("count", { kind: "circle" }, "3")).toThrow(/needs "number"/);
    expect(() => scoreAnswer("caption_short", { objects: "none" }, "a red circle")).toThrow(/objects/);
    expect(() => scoreAnswer("greeting", { kind: "wave" }, "hi")).toThrow(/greeting kind/);
    expect(() => scoreAnswer("count", { number: 1 }, undefined as unknown as string)).toThrow(/reply must be a string/);
  });
});

// Round trip: every reference answer the generator writes scores correct (terse answers of the
// `short` mix too, except its deliberately incomplete captions), so a model that says what the
// data taught it is never marked wrong by the wording alone.
const ROOT = resolve(__dirname, "../..");
const tmp = mkdtempSync(join(tmpdir(), "score-roundtrip-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Entry {
  task: string;
  truth: Record<string, unknown>;
  followup: boolean;
}

function generate(mix: string, seed: number, samples: number, extra: string[] = []) {
  const out = join(tmp, mix);
  const args = [
    "training/shapes_world/generate.py",
    "--out",
    out,
    "--seed",
    String(seed),
    "--samples",
    String(samples),
  ];
  const result = spawnSync("/usr/bin/python3", [...args, "--mix", mix, ...extra], { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`the generator failed (${result.status}): ${result.stderr}`);
  const lines = (file: string) =>
    readFileSync(join(out, file), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
  const data = lines("data.jsonl") as { messages: { role: string; content: unknown }[] }[];
  const meta = lines("meta.jsonl") as { answers: Entry[] }[];
  return data.flatMap((line, i) => {
    const replies = line.messages.filter((m) => m.role === "assistant").map((m) => m.content as string);
    return meta[i].answers.map((entry, t) => ({ ...entry, reply: replies[t] }));
  });
}

describe("round trip through the generator", () => {
  it("every reference answer of the eval split scores correct, on every task", () => {
    const answers = generate("eval", 4242, 18 * 8);
    expect(new Set(answers.map((a) => a.task))).toEqual(new Set([...VISION_TASKS, ...LANGUAGE_TASKS]));
    expect(answers.some((a) => a.followup)).toBe(true);
    const failed = answers.filter((a) => !scoreAnswer(a.task, a.truth, a.reply).correct);
    expect(failed).toEqual([]);
    const captions = answers.filter((a) => a.task === "caption_detailed");
    for (const a of captions)
      expect(scoreAnswer(a.task, a.truth, a.reply)).toMatchObject({ positionRecall: 1, invented: 0 });
  });

  it("the full mix's answers and the short mix's terse answers score correct too", () => {
    const full = generate("full", 77, 300, ["--images", "40"]);
    expect(full.filter((a) => !scoreAnswer(a.task, a.truth, a.reply).correct)).toEqual([]);
    const short = generate("short", 78, 300, ["--images", "40"]);
    const terse = short.filter((a) => !a.task.startsWith("caption"));
    expect(terse.filter((a) => !scoreAnswer(a.task, a.truth, a.reply).correct)).toEqual([]);
    // Terse captions name a few objects, correctly: nothing invented, recall below the full captions'.
    const captions = short
      .filter((a) => a.task.startsWith("caption"))
      .map((a) => scoreAnswer(a.task, a.truth, a.reply) as CaptionScore);
    expect(captions.length).toBeGreaterThan(10);
    expect(captions.every((c) => c.invented === 0)).toBe(true);
    expect(captions.reduce((s, c) => s + c.recall, 0) / captions.length).toBeLessThan(0.8);
  });
});
