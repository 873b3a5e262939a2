import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseEvalArgs, ROOT } from "./args";

describe("parseEvalArgs", () => {
  it("defaults to the recipe's eval split, the shipped model and all four configurations", () => {
    const opts = parseEvalArgs([], "/somewhere");
    expect(opts).toMatchObject({
      data: join(ROOT, "training/runs/shapes/data/eval"),
      modelDir: join(ROOT, "models/mmgpt-shapes"),
      limit: undefined,
      concurrency: 8,
      maxTokens: 160,
      out: join(ROOT, "training/eval/results"),
      help: false,
    });
    expect(opts.configs.map((c) => c.id)).toEqual(["fp32-fp16", "fp32-fp32", "int4-fp16", "int4-fp32"]);
  });

  it("resolves relative paths from where the command was typed, and takes the quick-run flags", () => {
    const opts = parseEvalArgs(
      ["--data", "ev", "--out", "/abs/out", "--limit", "30", "--configs", "int4-fp16, fp32-fp16", "--tiny"],
      "/work/x",
    );
    expect(opts).toMatchObject({ data: "/work/x/ev", out: "/abs/out", limit: 30, modelDir: null });
    expect(opts.configs.map((c) => [c.precision, c.kvCacheDtype])).toEqual([
      ["int4", "fp16"],
      ["fp32", "fp16"],
    ]);
  });

  it("names each bad value", () => {
    const bad =
      (...argv: string[]) =>
      () =>
        parseEvalArgs(argv, "/");
    expect(bad("--limit", "0")).toThrow("--limit 0: expected an integer from 1");
    expect(bad("--concurrency", "many")).toThrow("--concurrency many: expected an integer from 1 to 64");
    expect(bad("--configs", "fp16-int4")).toThrow('--configs: unknown "fp16-int4"; known: fp32-fp16');
    expect(bad("--configs", "fp32-fp16,fp32-fp16")).toThrow('"fp32-fp16" is named twice');
    expect(bad("--configs", ",")).toThrow("name at least one");
    expect(bad("--tiny", "--model-dir", "m")).toThrow("--tiny and --model-dir exclude each other");
    expect(bad("--adapter", "x")).toThrow(/Unknown option '--adapter'/);
  });
});
