import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError, itemsOfSample, loadSplit } from "./dataset";

const image = (url: string) => ({ type: "image_url", image_url: { url } });
const text = (t: string) => ({ type: "text", text: t });

// A dialogue as the generator writes it: three exchanges, the last one bringing a second image.
const dialogue = {
  messages: [
    { role: "user", content: [image("images/000001.png"), text("How many circles are there?")] },
    { role: "assistant", content: "There are 2 circles." },
    { role: "user", content: "And squares?" },
    { role: "assistant", content: "There is 1 square." },
    { role: "user", content: [image("images/000002.jpg"), text("Here is another image. Which has more circles?")] },
    { role: "assistant", content: "The first image has more circles." },
  ],
};
const dialogueMeta = {
  id: "eval-1001-000007",
  recipe: "dialogue",
  answers: [
    { task: "count", truth: { number: 2, kind: "circle" }, turn: 0, followup: false, heldout_phrasing: true },
    { task: "count", truth: { number: 1, kind: "square" }, turn: 1, followup: true, heldout_phrasing: false },
    { task: "compare", truth: { answer: "first", counts: [2, 0], kind: "circle" }, turn: 2, followup: true },
  ],
};

describe("itemsOfSample", () => {
  it("asks turn k with the messages up to its user message, earlier turns answered by the references", () => {
    const items = itemsOfSample(8, dialogue, dialogueMeta);
    expect(items.map((i) => i.messages.length)).toEqual([1, 3, 5]);
    expect(items[2].messages).toEqual(dialogue.messages.slice(0, 5));
    expect(items[2].messages[1]).toEqual({ role: "assistant", content: "There are 2 circles." });
    expect(items.map((i) => i.messages.at(-1)?.role)).toEqual(["user", "user", "user"]);
  });

  it("pairs each turn with its meta answer: task, truth, follow-up, reference", () => {
    const items = itemsOfSample(8, dialogue, dialogueMeta);
    expect(items.map((i) => [i.key, i.task, i.turn, i.followup, i.heldoutPhrasing])).toEqual([
      ["eval-1001-000007#0", "count", 0, false, true],
      ["eval-1001-000007#1", "count", 1, true, false],
      ["eval-1001-000007#2", "compare", 2, true, false],
    ]);
    expect(items[1].truth).toEqual({ number: 1, kind: "square" });
    expect(items[2].reference).toBe("The first image has more circles.");
    expect(items[0].line).toBe(8);
  });

  it("reads a follow-up from the turn when meta has no followup flag", () => {
    const answers = dialogueMeta.answers.map(({ followup: _, ...a }) => a);
    expect(itemsOfSample(1, dialogue, { ...dialogueMeta, answers }).map((i) => i.followup)).toEqual([
      false,
      true,
      true,
    ]);
  });

  it("refuses a sample whose assistant messages and meta answers disagree", () => {
    const meta = { ...dialogueMeta, answers: dialogueMeta.answers.slice(0, 2) };
    expect(() => itemsOfSample(3, dialogue, meta)).toThrow(
      /line 3 \(eval-1001-000007\): 3 assistant messages .* 2 answers/,
    );
  });

  it("refuses an unknown task, a missing truth and an answer before any question", () => {
    const single = (task: string, truth: unknown) => ({ id: "x", answers: [{ task, truth, turn: 0 }] });
    const one = {
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "Hello!" },
      ],
    };
    expect(() => itemsOfSample(1, one, single("juggling", {}))).toThrow(/unknown task "juggling"/);
    expect(() => itemsOfSample(1, one, single("greeting", null))).toThrow(DataError);
    const first = { messages: [{ role: "assistant", content: "Hello!" }] };
    expect(() => itemsOfSample(1, first, single("greeting", { kind: "hello" }))).toThrow(
      /does not follow a user message/,
    );
    expect(() => itemsOfSample(1, { turns: [] }, single("greeting", {}))).toThrow(/expected \{"messages"/);
  });
});

describe("loadSplit", () => {
  const split = (data: unknown[], meta: unknown[]) => {
    const dir = mkdtempSync(join(tmpdir(), "eval-split-"));
    writeFileSync(join(dir, "data.jsonl"), data.map((d) => `${JSON.stringify(d)}\n`).join(""));
    writeFileSync(join(dir, "meta.jsonl"), meta.map((m) => `${JSON.stringify(m)}\n`).join(""));
    return dir;
  };
  const hello = {
    messages: [
      { role: "user", content: "Hello!" },
      { role: "assistant", content: "Hello!" },
    ],
  };
  const helloMeta = (id: string) => ({ id, answers: [{ task: "greeting", truth: { kind: "hello" }, turn: 0 }] });

  it("reads every sample, or the first N with a limit", () => {
    const dir = split([dialogue, hello], [dialogueMeta, helloMeta("h")]);
    expect(loadSplit(dir).items).toHaveLength(4);
    const first = loadSplit(dir, 1);
    expect([first.samples, first.items.length]).toEqual([1, 3]);
    expect(loadSplit(dir, 10).samples).toBe(2);
  });

  it("refuses files that are not aligned line by line, and says how to make a missing split", () => {
    expect(() => loadSplit(split([hello, hello], [helloMeta("a")]))).toThrow(
      /data.jsonl has 2 lines but meta.jsonl has 1/,
    );
    expect(() => loadSplit(join(tmpdir(), "no-such-split"))).toThrow(/not found: make the eval split with/);
  });

  it("names the line that is not JSON", () => {
    const dir = split([hello], [helloMeta("a")]);
    writeFileSync(join(dir, "meta.jsonl"), "{oops\n");
    expect(() => loadSplit(dir)).toThrow(/meta.jsonl:1: not JSON/);
  });
});
