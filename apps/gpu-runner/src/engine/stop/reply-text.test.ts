// Reply shaping: the default stops are the template's own section headers, and the streaming
// trimmer gives exactly the demo's `.strip()` of the whole reply.
import { describe, expect, it } from "vitest";
import { exchangeText, joinExchange, TEMPLATE } from "../../prompt/template.js";
import { mulberry32 } from "../../weights/prng.js";
import { DEFAULT_STOPS, ReplyTrimmer, trimReply } from "./reply-text.js";
import { StopMatcher } from "./stop-strings.js";

describe("DEFAULT_STOPS", () => {
  it("are exactly the section headers the prompt template writes", () => {
    const ex = exchangeText({ role: "user", text: "Q", image: "img", options: ["a", "b"] }, TEMPLATE);
    const prompt = joinExchange(ex);
    const headers = [...prompt.matchAll(/\n\n### [A-Za-z]+:/g)].map((m) => m[0]);
    expect([...DEFAULT_STOPS].sort()).toEqual([...new Set(headers)].sort());
  });

  it("cut an invented next turn, keep ordinary markdown headings", () => {
    const m = new StopMatcher(DEFAULT_STOPS);
    const reply = "A cat.\n\n### Details\nIt is grey.\n\n### Instruction:\nWhat else?";
    expect(m.push(reply)).toEqual({ emit: "A cat.\n\n### Details\nIt is grey.", stopped: true });
  });
});

describe("trimming", () => {
  it("trimReply strips both ends like Python's str.strip()", () => {
    expect(trimReply(" \n A cat.\n\n ")).toBe("A cat.");
  });

  it("ReplyTrimmer streams: leading whitespace dropped, trailing held until text follows", () => {
    const t = new ReplyTrimmer();
    expect(t.push(" \n")).toBe("");
    expect(t.push(" A")).toBe("A");
    expect(t.push(" cat. ")).toBe(" cat.");
    expect(t.push("\n")).toBe("");
    expect(t.push("It")).toBe(" \nIt");
    expect(t.push("  ")).toBe("");
    expect(t.flush()).toBe("");
  });

  it("any split concatenates to trimReply(whole)", () => {
    const rand = mulberry32(5);
    for (let trial = 0; trial < 300; trial++) {
      const text = Array.from({ length: Math.floor(rand() * 20) }, () => " \nab"[Math.floor(rand() * 4)]).join("");
      const t = new ReplyTrimmer();
      let out = "";
      for (let i = 0; i < text.length; ) {
        const n = 1 + Math.floor(rand() * 3);
        out += t.push(text.slice(i, i + n));
        i += n;
      }
      expect(out + t.flush()).toBe(trimReply(text));
    }
  });
});
