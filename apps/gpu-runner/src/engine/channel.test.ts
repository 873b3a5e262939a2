import { describe, expect, it } from "vitest";
import { Channel } from "./channel.js";

describe("Channel", () => {
  it("iterates pushed items until closed, and throws what it failed with", async () => {
    const c = new Channel<number>();
    c.push(1);
    setTimeout(() => {
      c.push(2);
      c.close();
      c.push(3); // after close: dropped
    }, 1);
    const got: number[] = [];
    for await (const x of c) got.push(x);
    expect(got).toEqual([1, 2]);

    const f = new Channel<number>();
    f.push(1);
    f.fail(new Error("boom"));
    const it = f[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ value: 1, done: false });
    await expect(it.next()).rejects.toThrow("boom");
  });
});
