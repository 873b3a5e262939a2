// The streaming stop matcher: what a client receives must equal the whole text cut before the
// first completed stop string, however the text is split into pieces.
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../weights/prng.js";
import { StopMatcher } from "./stop-strings.js";

/** Feeds pieces; returns everything emitted (plus flush if no stop) and whether it stopped. */
function feed(stops: string[], pieces: string[]) {
  const m = new StopMatcher(stops);
  let out = "";
  const emitted: string[] = [];
  for (const piece of pieces) {
    const r = m.push(piece);
    out += r.emit;
    emitted.push(r.emit);
    if (r.stopped) return { out, stopped: true, emitted };
  }
  return { out: out + m.flush(), stopped: false, emitted };
}

describe("StopMatcher", () => {
  it("stop spanning several pieces never leaks", () => {
    const r = feed(["\n\n### Instruction:"], ["A cat.", "\n", "\n###", " Inst", "ruction:", "\nmore"]);
    expect(r).toMatchObject({ out: "A cat.", stopped: true });
    expect(r.emitted.join("")).not.toContain("#");
  });

  it("stop starting in the middle of a piece emits the text before it", () => {
    expect(feed(["END"], ["hello E", "NDing"])).toMatchObject({ out: "hello ", stopped: true });
    expect(feed(["END"], ["one two END three"])).toMatchObject({ out: "one two ", stopped: true });
  });

  it("holds back only a possible stop prefix and releases it when it cannot be one", () => {
    const m = new StopMatcher(["abc"]);
    expect(m.push("xxab")).toEqual({ emit: "xx", stopped: false });
    expect(m.push("d")).toEqual({ emit: "abd", stopped: false });
    expect(m.push("a")).toEqual({ emit: "", stopped: false });
    expect(m.flush()).toBe("a");
  });

  it("overlapping stops: the first to complete wins ('ab' before 'abc')", () => {
    expect(feed(["abc", "ab"], ["xabc"])).toMatchObject({ out: "x", stopped: true });
    expect(feed(["abc", "ab"], ["xa", "bc"])).toMatchObject({ out: "x", stopped: true });
    // Both end together: the longer one is cut, so no part of either leaks.
    expect(feed(["bc", "abc"], ["xabc"])).toMatchObject({ out: "x", stopped: true });
  });

  it("stop at the very beginning gives an empty reply", () => {
    expect(feed(["###"], ["###", " Instruction"])).toEqual({ out: "", stopped: true, emitted: [""] });
  });

  it("no stop: flush returns the held text", () => {
    const m = new StopMatcher(["\n\n###"]);
    expect(m.push("The end.\n")).toEqual({ emit: "The end.", stopped: false });
    expect(m.push("\n")).toEqual({ emit: "", stopped: false });
    expect(m.flush()).toBe("\n\n");
    expect(m.flush()).toBe("");
  });

  it("after a stop, further pushes and flush emit nothing", () => {
    const m = new StopMatcher(["x"]);
    expect(m.push("axb").stopped).toBe(true);
    expect(m.push("more")).toEqual({ emit: "", stopped: true });
    expect(m.flush()).toBe("");
    expect(m.done).toBe(true);
  });

  it("no stops (or only empty ones) passes text straight through", () => {
    expect(feed([], ["a", "b"])).toMatchObject({ out: "ab", stopped: false, emitted: ["a", "b"] });
    expect(feed([""], ["a"])).toMatchObject({ out: "a", stopped: false });
  });

  it("unicode: CJK and astral characters, split across pieces", () => {
    expect(feed(["世界"], ["你好世", "界!"])).toMatchObject({ out: "你好", stopped: true });
    expect(feed(["🐱🐶"], ["cat 🐱", "🐶 dog"])).toMatchObject({ out: "cat ", stopped: true });
    const r = feed(["🐱🐶"], ["cat 🐱", " dog"]);
    expect(r).toMatchObject({ out: "cat 🐱 dog", stopped: false });
    expect(r.emitted[0]).toBe("cat "); // the 🐱 waited: it could have begun the stop
  });

  it("any split of the text gives the same result as the whole text at once", () => {
    const rand = mulberry32(17);
    const alphabet = "ab c\n#";
    const stops = ["ab", "abc", "\n\n#", "c a", "b#"];
    for (let trial = 0; trial < 500; trial++) {
      const text = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => alphabet[Math.floor(rand() * 6)]).join("");
      const pieces: string[] = [];
      for (let i = 0; i < text.length; ) {
        const n = 1 + Math.floor(rand() * 4);
        pieces.push(text.slice(i, i + n));
        i += n;
      }
      expect(feed(stops, pieces).out, JSON.stringify(pieces)).toBe(reference(stops, text));
    }
  });
});

/** The text cut before the stop that completes first (the longest among those ending together). */
function reference(stops: string[], text: string): string {
  for (let end = 1; end <= text.length; end++) {
    const ending = stops.filter((s) => text.slice(0, end).endsWith(s)).sort((a, b) => b.length - a.length);
    if (ending.length > 0) return text.slice(0, end - ending[0].length);
  }
  return text;
}
