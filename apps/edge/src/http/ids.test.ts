import { describe, expect, it } from "vitest";
import { newId } from "./ids";

describe("newId", () => {
  it("sorts in creation order even when many ids share a millisecond", () => {
    const ids = Array.from({ length: 500 }, () => newId("key_"));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^key_[0-9a-hjkmnp-tv-z]{26}$/);
  });
});
