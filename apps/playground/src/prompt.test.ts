// The reconstructed prompt matches the runner's template strings (MODEL.md "Prompt format").
import { describe, expect, it } from "vitest";
import { reconstructPrompt, TEMPLATE } from "./prompt";

describe("reconstructPrompt", () => {
  it("first turn with an image, then a text-only turn, then a turn with a new image", () => {
    const prompt = reconstructPrompt([
      { user: "What is this?", hasImage: true, answer: "A cat." },
      { user: "What color?", hasImage: false, answer: "Ginger." },
      { user: "And this one?", hasImage: true },
    ]);
    expect(prompt).toBe(
      `${TEMPLATE}\n\n### Image:\n<image>\n\n### Instruction:\nWhat is this?\n\n### Response:\nA cat.` +
        "\n\n### Instruction:\nWhat color?\n\n### Response:\nGinger." +
        "\n\n### Image:\n<image>\n\n### Instruction:\nAnd this one?\n\n### Response:\n",
    );
  });

  it("a first turn without an image, and system text in place of the template", () => {
    expect(reconstructPrompt([{ user: "Hi", hasImage: false }])).toBe(
      `${TEMPLATE}\n\n### Instruction:\nHi\n\n### Response:\n`,
    );
    expect(reconstructPrompt([{ user: "Hi", hasImage: false }], "Be terse.")).toBe(
      "Be terse.\n\n### Instruction:\nHi\n\n### Response:\n",
    );
  });
});
