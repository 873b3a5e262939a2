// Model-runtime benchmark (prints figures; not a test): prefill tokens/s and decode
// ms/token with the KV cache (SequenceState: the engine's decoder calls on one row), fused
// contrib ops vs plain ops, int4 vs fp32, on the tiny and a mid-size config, next to the
// memory-bandwidth bound for each.
//   npm run model -w @mmgpt/bench -- [--threads N] [--configs tiny,mid] [--out f.json]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SequenceState } from "../../apps/gpu-runner/src/engine/sequence-state.js";
import { MMGPT_MID, MMGPT_MID_LLAMA } from "../../apps/gpu-runner/src/model/bench-configs.js";
import { type BuildOptions, buildModelGraphs } from "../../apps/gpu-runner/src/model/build.js";
import type { ModelConfig } from "../../apps/gpu-runner/src/model/config.js";
import { INT4_BLOCK } from "../../apps/gpu-runner/src/model/graphs/quantize.js";
import { MMGPT_TINY } from "../../apps/gpu-runner/src/model/presets.js";
import { ModelRuntime } from "../../apps/gpu-runner/src/model/runtime.js";
import { generateTinyWeights } from "../../apps/gpu-runner/src/weights/generate-tiny.js";
import { baseTensorShapes } from "../../apps/gpu-runner/src/weights/names.js";
import { countParams } from "../../apps/gpu-runner/src/weights/shape.js";
import { fixed as f, newResult, writeResult } from "../lib/results.js";
import { median } from "../lib/stats.js";

const { values } = parseArgs({
  options: {
    threads: { type: "string", default: "1" },
    configs: { type: "string", default: "tiny,mid" },
    out: { type: "string" },
  },
});
const threads = Number(values.threads);
const CONFIGS: Record<string, ModelConfig> = { tiny: MMGPT_TINY, mid: MMGPT_MID, "mid-llama": MMGPT_MID_LLAMA };
const VARIANTS: BuildOptions[] = [
  { precision: "fp32", fused: true },
  { precision: "fp32", fused: false },
  { precision: "int4", fused: true },
  { precision: "int4", fused: false },
];

/** Sustained read bandwidth (GB/s): memchr over 512 MB that never matches (native, vectorized). */
function memoryBandwidth(): number {
  // Filled, so every page is real memory (untouched calloc pages all map the one zero page).
  const a = Buffer.alloc(512 << 20, 7);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    if (a.indexOf(1) !== -1) throw new Error("unexpected byte");
    times.push(performance.now() - t);
  }
  return a.byteLength / (median(times) / 1000) / 1e9;
}

/** Bytes of weights one decode step must read (every matrix once; embeddings: one row). */
function decodeBytes(c: ModelConfig, precision: BuildOptions["precision"]): number {
  const shapes = baseTensorShapes(c);
  let n = 0;
  for (const [name, s] of shapes) {
    if (name.startsWith("vision_encoder.") || name.startsWith("perceiver.") || name.endsWith("to_kv.weight")) continue;
    n += name === "model.embed_tokens.weight" ? s[1] : countParams([s]);
  }
  return precision === "int4" ? n * (0.5 + 4 / INT4_BLOCK) : n * 4;
}

const result = newResult(
  "model",
  "Model runtime",
  `Bare ORT calls through the engine's decoder calls (no service), ${threads} thread(s): a 256-token prefill, then decode at 256 tokens of context. "Bound" = bytes of weights a decode step reads ÷ the measured read bandwidth. \`mid\` = hidden 1024, 8 layers, 16/4 heads, FFN 2816 plus 2 gated cross-attention blocks; \`mid-llama\` = the same without them (the llama.cpp peer's shape). No goals: figures for comparing builds.`,
);
const bw = memoryBandwidth();
console.log(`memory read bandwidth (memchr over 512 MB): ${bw.toFixed(1)} GB/s; threads=${threads}`);
console.log("config  variant              prefill256 tok/s  decode ms/tok (ctx 256)  bound ms/tok  weights MB");
for (const name of values.configs!.split(",")) {
  const config = CONFIGS[name];
  const dir = mkdtempSync(join(tmpdir(), `mmgpt-bench-${name}-`));
  generateTinyWeights(config, dir, { seed: 1, maxParams: 500_000_000 });
  for (const v of VARIANTS) {
    buildModelGraphs(config, dir, v);
    const rt = await ModelRuntime.load(config, dir, v, { provider: "cpu", threads });
    const prompt = Array.from({ length: 256 }, (_, i) => 100 + ((i * 7919) % 30000));
    const pre: number[] = [];
    for (let r = 0; r < 4; r++) {
      const s = new SequenceState(rt, 512);
      const t = performance.now();
      await s.extend(prompt);
      pre.push(performance.now() - t);
    }
    const s = new SequenceState(rt, 512);
    await s.extend(prompt);
    const dec: number[] = [];
    for (let i = 0; i < 32; i++) {
      const t = performance.now();
      await s.extend([100 + i]);
      dec.push(performance.now() - t);
    }
    const bytes = decodeBytes(config, v.precision);
    const label = `${v.precision}-${v.fused ? "fused" : "plain"}`;
    const figures = {
      "prefill256 tok/s": f(256 / (median(pre) / 1000), 0),
      "decode ms/token (ctx 256)": f(median(dec)),
      "bound ms/token": f((bytes / (bw * 1e9)) * 1000),
      "weights read per step, MB": f(bytes / 1e6, 0),
    };
    result.cases.push({ name: `${name} ${label}`, figures, goals: [] });
    console.log(
      `${name.padEnd(7)} ${label.padEnd(20)} ${Object.values(figures)
        .map((x, i) => x.padStart([16, 23, 12, 10][i]))
        .join("  ")}`,
    );
    await rt.release();
  }
  rmSync(dir, { recursive: true, force: true });
}
result.method += ` Measured read bandwidth: ${f(bw, 1)} GB/s.`;
writeResult(result, values.out);
