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

  it("listen delivers queued items at once, then each push synchronously, then the end once", () => {
    const c = new Channel<string>();
    c.push("a");
    const seen: string[] = [];
    const ends: unknown[] = [];
    c.listen(
      (x) => seen.push(x),
      (e) => ends.push(e),
    );
    expect(seen).toEqual(["a"]);
    c.push("b");
    expect(seen).toEqual(["a", "b"]);
    c.close();
    c.close();
    expect(ends).toEqual([null]);

    const f = new Channel<string>();
    const err = new Error("x");
    f.fail(err);
    const late: unknown[] = [];
    f.listen(
      () => {},
      (e) => late.push(e),
    );
    expect(late).toEqual([err]);
  });
});
