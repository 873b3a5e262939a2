import { describe, expect, it } from "vitest";
import { mapBounded, type Reply } from "./client";
import { itemsOfSample } from "./dataset";
import { questionOf, referenceCheck, scoreReply } from "./evaluate";

const reply = (text: string, error: string | null = null): Reply => ({
  text,
  finishReason: error ? null : "stop",
  promptTokens: 40,
  completionTokens: 8,
  ms: 120.4,
  error,
  rateLimit: null,
});

const objects = [
  { kind: "circle", color: "red", position: "top left" },
  { kind: "square", color: "blue", position: "center" },
];
const [caption, count] = itemsOfSample(
  1,
  {
    messages: [
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: "images/1.png" } },
          { type: "text", text: "Describe it." },
        ],
      },
      {
        role: "assistant",
        content: "In the top left corner there is a red circle. In the center there is a blue square.",
      },
      { role: "user", content: "How many squares?" },
      { role: "assistant", content: "There is 1 square." },
    ],
  },
  {
    id: "s",
    answers: [
      { task: "caption_detailed", truth: { objects }, turn: 0 },
      { task: "count", truth: { number: 1, kind: "square" }, turn: 1 },
    ],
  },
);

describe("scoreReply", () => {
  it("scores with the project's scorer and keeps what a reader of failures needs", () => {
    const { scored, record } = scoreReply("int4-fp16", count, reply("I count two squares."));
    expect(scored).toMatchObject({ task: "count", correct: false, followup: true, error: false, replyWords: 4 });
    expect(record).toMatchObject({
      config: "int4-fp16",
      key: "s#1",
      question: "How many squares?",
      reference: "There is 1 square.",
      reply: "I count two squares.",
      parsed: 2,
      correct: false,
      ms: 120,
    });
    expect(scoreReply("x", count, reply("There is one square.")).scored.correct).toBe(true);
  });

  it("carries a caption's recall counts", () => {
    const { scored, record } = scoreReply("x", caption, reply("There is a red circle and a green triangle."));
    expect(scored.caption).toMatchObject({ objects: 2, named: 1, mentioned: 2, invented: 1 });
    expect(record.caption).toMatchObject({ objects: 2, named: 1, invented: 1 });
  });

  it("counts a failed request as wrong, its caption objects as missed", () => {
    const { scored, record } = scoreReply("x", caption, reply("", "400 messages.0.content: at most 1 image"));
    expect(scored).toMatchObject({ correct: false, error: true, caption: { objects: 2, named: 0, invented: 0 } });
    expect(record).toMatchObject({ error: "400 messages.0.content: at most 1 image", parsed: null });
  });
});

describe("questionOf and referenceCheck", () => {
  it("reads the asked question without its image parts", () => {
    expect(questionOf(caption)).toBe("Describe it.");
    expect(questionOf(count)).toBe("How many squares?");
  });

  it("reports references the scorer does not accept", () => {
    expect(referenceCheck([caption, count])).toEqual({ answers: 2, correct: 2, rejected: [] });
    const wrong = { ...count, reference: "There are 3 squares." };
    expect(referenceCheck([caption, wrong])).toEqual({ answers: 2, correct: 1, rejected: ["s#1"] });
  });
});

describe("mapBounded", () => {
  it("keeps at most N calls in flight and returns results in input order", async () => {
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    const out = await mapBounded(
      [30, 10, 20, 5, 15, 1],
      2,
      async (ms, i) => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, ms));
        inFlight--;
        return i * 10;
      },
      (n) => done.push(n),
    );
    expect(out).toEqual([0, 10, 20, 30, 40, 50]);
    expect(peak).toBe(2);
    expect(done).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("stops taking items after a failure and rejects with it", async () => {
    const started: number[] = [];
    const run = mapBounded([0, 1, 2, 3, 4], 1, async (i) => {
      started.push(i);
      if (i === 1) throw new Error("stack gone");
      return i;
    });
    await expect(run).rejects.toThrow("stack gone");
    expect(started).toEqual([0, 1]);
  });
});
