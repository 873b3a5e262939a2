// Truncation against the real template and tokenizer: whole exchanges leave oldest first, the
// system text and the last turn stay, max_tokens is clamped only when nothing else can go.
import type { Turn } from "@mmgpt/schema/internal";
import { beforeAll, describe, expect, it } from "vitest";
import { renderPrompt } from "../prompt/index.js";
import { loadTokenizer } from "../tokenizer/load-tokenizer.js";
import type { SentencePieceTokenizer } from "../tokenizer/sentencepiece-tokenizer.js";
import { EngineError } from "./errors.js";
import { fitToContext } from "./fit-context.js";

let tok: SentencePieceTokenizer;
beforeAll(async () => {
  tok = await loadTokenizer();
});

const SYSTEM = "You are the shapes assistant.";
const render = (turns: readonly Turn[]) => renderPrompt(tok, { system: SYSTEM, turns: [...turns] });
/** Five exchanges of distinct text, then the question to answer. */
const turns: Turn[] = [
  ...[1, 2, 3, 4, 5].flatMap((i): Turn[] => [
    { role: "user", text: `Question number ${i} about the red circle and the blue square?` },
    { role: "assistant", text: `Answer number ${i}: the circle is left of the square.` },
  ]),
  { role: "user", text: "And the last question?" },
];

describe("fitToContext", () => {
  it("keeps everything when it fits", () => {
    const full = render(turns).ids.length;
    const fit = fitToContext(turns, render, { maxTokens: 10, maxContext: full + 10, truncation: "auto" });
    expect(fit).toMatchObject({ droppedExchanges: 0, maxTokens: 10 });
    expect(fit.rendered.ids).toHaveLength(full);
  });

  it('"disabled" refuses what does not fit, naming the sizes', () => {
    const full = render(turns).ids.length;
    const fit = () => fitToContext(turns, render, { maxTokens: 11, maxContext: full + 10, truncation: "disabled" });
    expect(fit).toThrow(EngineError);
    expect(fit).toThrow(`prompt of ${full} tokens + max_tokens 11 exceeds the context of ${full + 10} tokens`);
  });

  it('"auto" drops the fewest oldest exchanges that make room, keeping the system text', () => {
    const withoutTwo = render(turns.slice(4)).ids.length;
    const withoutOne = render(turns.slice(2)).ids.length;
    // Room for the reply only once two exchanges are gone.
    const maxContext = withoutTwo + 64;
    expect(withoutOne + 64).toBeGreaterThan(maxContext);
    const fit = fitToContext(turns, render, { maxTokens: 64, maxContext, truncation: "auto" });
    expect(fit.droppedExchanges).toBe(2);
    expect(fit.maxTokens).toBe(64);
    expect(fit.rendered.text.startsWith(SYSTEM)).toBe(true);
    expect(fit.rendered.text).not.toContain("number 2");
    expect(fit.rendered.text).toContain("Question number 3");
    expect(fit.rendered.text).toContain("Answer number 3");
    expect(fit.rendered.text).toContain("And the last question?");
  });

  it('"auto" clamps max_tokens once only the last turn is left, and fails when nothing is left', () => {
    const last = render(turns.slice(-1)).ids.length;
    const fit = fitToContext(turns, render, { maxTokens: 500, maxContext: last + 7, truncation: "auto" });
    expect(fit).toMatchObject({ droppedExchanges: 5, maxTokens: 7 });
    expect(() => fitToContext(turns, render, { maxTokens: 5, maxContext: last, truncation: "auto" })).toThrow(
      /context_length|exceeds the context/,
    );
  });
});
