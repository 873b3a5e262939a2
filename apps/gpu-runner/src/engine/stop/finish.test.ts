// The special ids of the stock tokenizer that end a reply or never appear in one.
import { describe, expect, it } from "vitest";
import { loadTokenizer } from "../../tokenizer/load-tokenizer.js";
import { bannedIdsOf, endIdsOf } from "./finish.js";

describe("reply ids", () => {
  it("</s> and <|endofchunk|> end a reply; <image> and <PAD> are never generated", async () => {
    const { special } = await loadTokenizer();
    expect(endIdsOf(special)).toEqual([2, 32000]);
    expect(bannedIdsOf(special)).toEqual([32001, 32002]);
  });
});
