import { describe, expect, it } from "vitest";
import { ChunkWriter } from "./chunks";

const head = { id: "chatcmpl-1", model: "m", created: 1 };
const done = {
  type: "done" as const,
  finish_reason: "length" as const,
  text: "ab",
  usage: { prompt_tokens: 3, completion_tokens: 2, cached_tokens: 1 },
  prompt: "",
};

describe("ChunkWriter", () => {
  it("opens with the role once, even when the runner sends no start event", () => {
    const w = new ChunkWriter(head, false);
    const chunks = [...w.delta({ text: "a" }), ...w.delta({ text: "b" }), ...w.finish(done)];
    expect(chunks.map((c) => c.choices[0].delta)).toEqual([
      { role: "assistant", content: "" },
      { content: "a" },
      { content: "b" },
      {},
    ]);
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe("length");
    expect(chunks.every((c) => !("usage" in c))).toBe(true);
  });

  it("adds the usage chunk last and usage: null before it when asked", () => {
    const w = new ChunkWriter(head, true);
    const chunks = [...w.role(), ...w.role(), ...w.finish(done)];
    expect(chunks).toHaveLength(3);
    expect(chunks[0].usage).toBeNull();
    expect(chunks[2]).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, prompt_tokens_details: { cached_tokens: 1 } },
    });
  });
});
