// Truncation against the real template and tokenizer: whole exchanges leave oldest first, the
// system text and the last turn stay, max_tokens is clamped only when nothing else can go.
import type { Turn } from "@mmgpt/schema/internal";
import { beforeAll, describe, expect, it } from "vitest";
import { renderPrompt } from "../prompt/index.js";
import { loadTokenizer } from "../tokenizer/load-tokenizer.js";
import type { SentencePieceTokenizer } from "../tokenizer/sentencepiece-tokenizer.js";
import type { Tokenizer } from "../tokenizer/types.js";
import { EngineError } from "./errors.js";
import { type FitOptions, fitToContext } from "./fit-context.js";

let tok: SentencePieceTokenizer;
beforeAll(async () => {
  tok = await loadTokenizer();
});

const SYSTEM = "You are the shapes assistant.";
const render = (turns: readonly Turn[]) => renderPrompt(tok, { system: SYSTEM, turns: [...turns] });
const fitTurns = (turns: readonly Turn[], options: FitOptions) => fitToContext(tok, { system: SYSTEM, turns }, options);
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
    const fit = fitTurns(turns, { maxTokens: 10, maxContext: full + 10, truncation: "auto" });
    expect(fit).toMatchObject({ droppedExchanges: 0, maxTokens: 10 });
    expect(fit.rendered.ids).toHaveLength(full);
  });

  it('"disabled" refuses what does not fit, naming the sizes', () => {
    const full = render(turns).ids.length;
    const fit = () => fitTurns(turns, { maxTokens: 11, maxContext: full + 10, truncation: "disabled" });
    expect(fit).toThrow(EngineError);
    expect(fit).toThrow(`prompt of ${full} tokens + max_tokens 11 exceeds the context of ${full + 10} tokens`);
  });

  it('"auto" drops the fewest oldest exchanges that make room, keeping the system text', () => {
    const withoutTwo = render(turns.slice(4)).ids.length;
    const withoutOne = render(turns.slice(2)).ids.length;
    // Room for the reply only once two exchanges are gone.
    const maxContext = withoutTwo + 64;
    expect(withoutOne + 64).toBeGreaterThan(maxContext);
    const fit = fitTurns(turns, { maxTokens: 64, maxContext, truncation: "auto" });
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
    const fit = fitTurns(turns, { maxTokens: 500, maxContext: last + 7, truncation: "auto" });
    expect(fit).toMatchObject({ droppedExchanges: 5, maxTokens: 7 });
    expect(() => fitTurns(turns, { maxTokens: 5, maxContext: last, truncation: "auto" })).toThrow(
      /context_length|exceeds the context/,
    );
  });

  it("gives exactly the prompt that dropping oldest-first over whole renderings gives, images included", () => {
    // The specification, written the slow way: render everything, drop the oldest exchange and
    // render again while the prompt + max_tokens does not fit, then clamp.
    const reference = (all: readonly Turn[], { maxTokens, maxContext, truncation }: FitOptions) => {
      let dropped = 0;
      let rendered = render(all);
      if (rendered.ids.length + maxTokens > maxContext && truncation === "disabled") return "refused";
      while (rendered.ids.length + maxTokens > maxContext && 2 * dropped + 1 < all.length) {
        dropped++;
        rendered = render(all.slice(2 * dropped));
      }
      const room = maxContext - rendered.ids.length;
      return room < 1 ? "refused" : { rendered, droppedExchanges: dropped, maxTokens: Math.min(maxTokens, room) };
    };
    const pictured: Turn[] = turns.map((t, i) => (i % 4 === 2 ? { ...t, images: [`img-${i}`, `img-${i}b`] } : t));
    const full = render(pictured).ids.length;
    let fitted = 0;
    for (const conversation of [turns, pictured]) {
      for (let maxContext = 20; maxContext <= full + 20; maxContext += 5) {
        for (const maxTokens of [1, 16, 64]) {
          for (const truncation of ["auto", "disabled"] as const) {
            const options = { maxTokens, maxContext, truncation };
            const expected = reference(conversation, options);
            let actual: ReturnType<typeof reference>;
            try {
              actual = fitToContext(tok, { system: SYSTEM, turns: conversation }, options);
            } catch (error) {
              expect(error).toBeInstanceOf(EngineError);
              expect((error as EngineError).code).toBe("context_length_exceeded");
              actual = "refused";
            }
            expect({ options, actual }).toEqual({ options, actual: expected });
            if (actual !== "refused") fitted++;
          }
        }
      }
    }
    expect(fitted).toBeGreaterThan(100); // the sweep covers fits, drops and clamps, not only refusals
  });

  it("never tokenizes the exchanges it drops, nor a prompt it refuses", () => {
    const encoded = { chars: 0 };
    const counting: Tokenizer = Object.create(tok);
    counting.encode = (text, options) => {
      encoded.chars += text.length;
      return tok.encode(text, options);
    };
    // Megabytes of old exchanges (one enormous, then many of a few thousand characters each),
    // then the five short exchanges and the question.
    const old: Turn[] = [
      { role: "user", text: "An enormous paste. ".repeat(100_000) },
      { role: "assistant", text: "Noted." },
      ...Array.from({ length: 400 }, (_, i): Turn[] => [
        { role: "user", text: `Old question ${i}: ${"more pasted text ".repeat(300)}` },
        { role: "assistant", text: `Old answer ${i}.` },
      ]).flat(),
    ];
    const long = [...old, ...turns];
    const oldChars = old.reduce((n, t) => n + t.text.length, 0);
    expect(oldChars).toBeGreaterThan(3_000_000);

    const fit = fitToContext(
      counting,
      { system: SYSTEM, turns: long },
      { maxTokens: 64, maxContext: 512, truncation: "auto" },
    );
    expect(fit.droppedExchanges).toBeGreaterThanOrEqual(old.length / 2);
    expect(fit.rendered.ids).toEqual(
      fitTurns(long, { maxTokens: 64, maxContext: 512, truncation: "auto" }).rendered.ids,
    );
    // What was kept, tokenized about twice (with and without the system text) plus the one old
    // exchange that did not fit, stopped at the budget: thousands of characters, not millions.
    expect(encoded.chars).toBeLessThan(20_000);

    encoded.chars = 0;
    expect(() =>
      fitToContext(
        counting,
        { system: SYSTEM, turns: long },
        { maxTokens: 64, maxContext: 512, truncation: "disabled" },
      ),
    ).toThrow(/context_length|exceeds the context/);
    expect(encoded.chars).toBe(0); // refused from the characters alone
  });

  it("tokenizes the system text with a few exchanges, not with each one it keeps", () => {
    const system = "You are a careful assistant who answers about shapes and colours. ".repeat(30);
    const many: Turn[] = [
      ...Array.from({ length: 150 }, (_, i): Turn[] => [
        { role: "user", text: `Question ${i}: is the circle red?` },
        { role: "assistant", text: `Answer ${i}: yes.` },
      ]).flat(),
      { role: "user", text: "And the square?" },
    ];
    let withSystem = 0;
    const counting: Tokenizer = Object.create(tok);
    counting.encode = (text, options) => {
      if (text.includes(system)) withSystem++;
      return tok.encode(text, options);
    };
    const options = { maxTokens: 64, maxContext: 1024, truncation: "auto" } as const;
    const fit = fitToContext(counting, { system, turns: many }, options);
    expect(fit.droppedExchanges).toBeGreaterThan(100);
    expect(150 - fit.droppedExchanges).toBeGreaterThan(10); // many kept
    expect(fit.rendered.ids).toEqual(renderPrompt(tok, { system, turns: many.slice(2 * fit.droppedExchanges) }).ids);
    expect(withSystem).toBeLessThanOrEqual(3);
  });
});
