// The SDK runs in browsers, Workers and Node: its runtime code imports nothing Node-only.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = new URL("../src/", import.meta.url).pathname;
const NODE_BUILTINS = /from\s+["'](node:[^"']+|fs|path|os|crypto|http|https|stream|buffer|child_process|url|util)["']/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [full] : [];
  });
}

describe("sdk source", () => {
  it("imports no Node built-in", () => {
    const offenders = sourceFiles(SRC).filter((file) => NODE_BUILTINS.test(readFileSync(file, "utf8")));
    expect(offenders).toEqual([]);
  });

  it("keeps the generated types marked as generated", () => {
    const generated = readFileSync(join(SRC, "generated/openapi.d.ts"), "utf8");
    expect(generated.startsWith("/**\n * GENERATED FILE — DO NOT EDIT.")).toBe(true);
  });
});
