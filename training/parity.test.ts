// PyTorch (training/mmgpt) and the runner compute the same logits: the runner's served path
// (ImageStore's normalization, the vision/media graphs, SequenceState's KvPool decoder call,
// fp32 weights and cache) against parity.py on the same ids and uint8 pixels, for a text-only
// prompt, one image and two images. On the shipped trained model when it is present, and always
// on a seeded tiny model with a LoRA adapter (alpha ≠ r).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ImageStore } from "../apps/gpu-runner/src/engine/image-store.js";
import { SequenceState } from "../apps/gpu-runner/src/engine/sequence-state.js";
import { EngineStats } from "../apps/gpu-runner/src/engine/stats.js";
import { type BuildOptions, buildModelGraphs } from "../apps/gpu-runner/src/model/build.js";
import { loadModelConfig } from "../apps/gpu-runner/src/model/load-config.js";
import { MMGPT_TINY } from "../apps/gpu-runner/src/model/presets.js";
import { ModelRuntime } from "../apps/gpu-runner/src/model/runtime.js";
import { renderPrompt } from "../apps/gpu-runner/src/prompt/index.js";
import { loadTokenizer } from "../apps/gpu-runner/src/tokenizer/index.js";
import { generateTinyWeights } from "../apps/gpu-runner/src/weights/generate-tiny.js";
import { maxAbsDiff } from "../apps/gpu-runner/test/tiny-model.js";
import { SHIPPED_MODEL_DIR } from "./shipped-model.js";

const PYTHON = "/usr/bin/python3";
const TOL = 1e-4;

/** A deterministic picture: a gradient background with a few filled squares. */
function picture(seed: number): Uint8Array {
  const px = new Uint8Array(224 * 224 * 3);
  for (let y = 0; y < 224; y++) {
    for (let x = 0; x < 224; x++) {
      const o = (y * 224 + x) * 3;
      px[o] = (x + seed * 40) & 255;
      px[o + 1] = (y * 2 + seed * 10) & 255;
      px[o + 2] = 200 - seed * 30;
      const inside = (cx: number, cy: number) => Math.abs(x - cx) < 25 && Math.abs(y - cy) < 25;
      if (inside(60 + seed * 20, 60) || inside(150, 160 - seed * 30)) px.set([230, 40 + seed * 50, 40], o);
    }
  }
  return px;
}

async function runnerLogits(dir: string, ids: number[], images: Uint8Array[]): Promise<Float32Array> {
  const config = loadModelConfig(dir);
  const build: BuildOptions = { precision: "fp32", fused: true, kvDtype: "fp32" };
  buildModelGraphs(config, dir, build);
  const rt = await ModelRuntime.load(config, dir, build, { provider: "cpu", threads: 1 });
  const store = new ImageStore(rt, 64 << 20, 64 << 20, new EngineStats());
  for (const [i, rgb] of images.entries()) store.put("parity", `img-${i}`, rgb);
  const kvs = await store.features(
    "parity",
    images.map((_, i) => `img-${i}`),
  );
  return (await new SequenceState(rt, 1024).extend(ids, kvs, ids.length)).logits;
}

function torchLogits(dir: string, cases: { name: string; ids: number[]; images: Uint8Array[] }[]) {
  const work = mkdtempSync(join(tmpdir(), "parity-"));
  const spec = cases.map((c) => ({
    name: c.name,
    ids: c.ids,
    images: c.images.map((rgb, i) => {
      const p = join(work, `${c.name}-${i}.u8`);
      writeFileSync(p, rgb);
      return p;
    }),
  }));
  writeFileSync(join(work, "cases.json"), JSON.stringify(spec));
  execFileSync(PYTHON, [
    join(__dirname, "parity.py"),
    "--model",
    dir,
    "--cases",
    join(work, "cases.json"),
    "--out",
    work,
  ]);
  return (name: string) => new Float32Array(readFileSync(join(work, `${name}.f32`)).buffer.slice(0));
}

async function checkParity(sourceDir: string) {
  // Graphs are built into the directory: work on a copy, never the committed model.
  const dir = mkdtempSync(join(tmpdir(), "parity-model-"));
  cpSync(sourceDir, dir, { recursive: true });
  const tok = await loadTokenizer(dir);
  const [a, b] = [picture(1), picture(2)];
  const render = (turns: Parameters<typeof renderPrompt>[1]["turns"]) => renderPrompt(tok, { turns }).ids;
  const cases = [
    { name: "text", ids: render([{ role: "user", text: "What is 7 plus 5?" }]), images: [] },
    {
      name: "one-image",
      ids: render([{ role: "user", text: "How many squares are there?", image: "a" }]),
      images: [a],
    },
    {
      name: "two-images",
      ids: render([
        { role: "user", text: "Describe the image.", image: "a" },
        { role: "assistant", text: "There are 2 red squares." },
        { role: "user", text: "Which image has more squares?", image: "b" },
      ]),
      images: [a, b],
    },
  ];
  const torch = torchLogits(dir, cases);
  for (const c of cases) {
    const diff = maxAbsDiff(await runnerLogits(dir, c.ids, c.images), torch(c.name));
    expect(diff, `${c.name}: max |Δ logit|`).toBeLessThan(TOL);
  }
}

describe("PyTorch ↔ runner logits (fp32)", () => {
  it("seeded tiny model with a LoRA adapter", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parity-tiny-"));
    generateTinyWeights(MMGPT_TINY, dir, { seed: 11 });
    await checkParity(dir);
  });

  it.runIf(existsSync(join(SHIPPED_MODEL_DIR, "config.json")))("the shipped trained model", async () => {
    await checkParity(SHIPPED_MODEL_DIR);
  });
});
