// Token-level stopping: EOS ids end with "stop", the token budget with "length".
import { describe, expect, it } from "vitest";
import { loadTokenizer } from "../../tokenizer/load-tokenizer.js";
import { DEFAULT_EOS_IDS, eosIdsOf, StoppingCriteria } from "./stopping.js";

describe("StoppingCriteria", () => {
  it("</s> and <|endofchunk|> both stop", () => {
    const s = new StoppingCriteria({ maxNewTokens: 10 });
    expect(s.check(2, 1)).toBe("stop");
    expect(s.check(32000, 1)).toBe("stop");
    expect(s.check(450, 1)).toBeNull();
    expect(s.isEos(32000)).toBe(true);
    expect(s.isEos(32001)).toBe(false);
  });

  it("the budget ends with length, and an EOS as the last token is still a stop", () => {
    const s = new StoppingCriteria({ maxNewTokens: 3 });
    expect(s.check(450, 2)).toBeNull();
    expect(s.check(450, 3)).toBe("length");
    expect(s.check(2, 3)).toBe("stop");
  });

  it("custom EOS ids and validation", () => {
    expect(new StoppingCriteria({ maxNewTokens: 5, eosIds: [7] }).check(2, 1)).toBeNull();
    expect(() => new StoppingCriteria({ maxNewTokens: 0 })).toThrow(RangeError);
  });

  it("the defaults are the stock tokenizer's </s> and <|endofchunk|>", async () => {
    const tok = await loadTokenizer();
    expect(eosIdsOf(tok.special)).toEqual([...DEFAULT_EOS_IDS]);
  });
});
