// The command a user runs: `npm run convert -- …` from the repository root converts with
// paths relative to where they typed it, shows progress on stderr, and refuses bad
// arguments (int4 included) with a message and a non-zero exit code.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyManifest } from "../src/convert/manifest.js";
import { SMALL, tempDir } from "./fixtures/checkpoints/helpers.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const BIN = resolve(import.meta.dirname, "../bin/mmgpt.mjs");

function run(cmd: string, args: string[], cwd = ROOT) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, INIT_CWD: cwd } });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe("mmgpt convert (CLI)", () => {
  it("npm run convert -- … from the root converts, with progress and a verifiable manifest", () => {
    const out = join(tempDir(), "model");
    const rel = (p: string) => relative(ROOT, p);
    const r = run("npm", [
      "run",
      "--silent",
      "convert",
      "--",
      ...["--llama", rel(SMALL.files.llama), "--openflamingo", rel(SMALL.files.openflamingo)],
      ...["--clip", rel(SMALL.files.clip), "--lora", rel(SMALL.files.lora)],
      ...["--config", rel(join(SMALL.files.llama, "../config.json")), "--out", out, "--dtype", "bf16"],
    ]);
    expect(r.stderr).toMatch(/converting: .* \(100%\) .*\/s ETA/);
    expect(r.stderr).toMatch(/LoRA r=4 alpha=8 \(from the checkpoint's tuning_config\)/);
    expect(r.code).toBe(0);
    verifyManifest(out);
    expect(run(process.execPath, [BIN, "verify", out]).stderr).toMatch(/files match manifest\.json/);
  }, 60_000);

  it.each([
    [["convert", "--dtype", "int4"], /MMGPT_PRECISION=int4/],
    [["convert", "--out", "/tmp/x"], /missing --llama, --openflamingo, --clip \(or use --lora-only\)/],
    [["convert", "--lora-only", "--out", "/tmp/x"], /--lora-only needs --lora FILE/],
    [["convert", "--config", "nope", "--out", "/tmp/x"], /--config nope: not a preset/],
  ])("refuses %j", (args, msg) => {
    const r = run(process.execPath, [BIN, ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(msg);
    expect(existsSync("/tmp/x")).toBe(false);
  });

  it("prints usage and exits 2 for an unknown command", () => {
    const r = run(process.execPath, [BIN, "frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage:\n {2}mmgpt convert --llama DIR/);
  });
});
