// Conversion benchmark (prints figures; not a test): writes a synthetic multi-GB checkpoint
// set in the released formats (LLaMA-shaped sharded .bin, OpenFlamingo checkpoint.pt, open_clip,
// LoRA), converts it in a child process under /usr/bin/time -v, and reports peak RSS vs size.
//   npm run convert -w @mmgpt/bench -- [--layers 24] [--dtype fp16] [--dir /tmp/mmgpt-convert-bench] [--keep] [--out f.json]
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { verifyManifest } from "../../apps/gpu-runner/src/convert/manifest.js";
import { mapName } from "../../apps/gpu-runner/src/convert/names.js";
import { type TorchTensorInput, writeTorchCheckpoint } from "../../apps/gpu-runner/src/convert/torch-writer.js";
import type { ModelConfig } from "../../apps/gpu-runner/src/model/config.js";
import { MMGPT_TINY } from "../../apps/gpu-runner/src/model/presets.js";
import { baseTensorShapes, loraTensorShapes, type Shape } from "../../apps/gpu-runner/src/weights/names.js";
import { numel } from "../../apps/gpu-runner/src/weights/shape.js";
import { fixed as f, newResult, REPO_ROOT, writeResult } from "../lib/results.js";

const { values: v } = parseArgs({
  options: {
    layers: { type: "string", default: "24" },
    dtype: { type: "string", default: "fp16" },
    dir: { type: "string", default: "/tmp/mmgpt-convert-bench" },
    keep: { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const BIN = join(REPO_ROOT, "apps/gpu-runner/bin/mmgpt.mjs");
const GB = 1e9;

/** LLaMA-shaped language model (hidden 2048) on the tiny vision tower: the bytes are in the LM. */
const config: ModelConfig = {
  ...MMGPT_TINY,
  name: "convert-bench",
  language: { ...MMGPT_TINY.language, hidden: 2048, heads: 16, kvHeads: 16, headDim: 128, intermediate: 5504 },
  crossAttention: { ...MMGPT_TINY.crossAttention, every: 4, heads: 8, dimHead: 64 },
  lora: { ...MMGPT_TINY.lora!, r: 16, alpha: 16 },
};
config.language.layers = Number(v.layers);

/** Cheap deterministic values in ±[0.5, 1): random bits with the exponent pinned (never NaN/inf). */
function bytesOf(shape: Shape, dtype: "F32" | "F16", seed: number): Uint8Array {
  const n = numel(shape);
  // Sign and mantissa bits kept; the exponent of 0.5.
  const [out, keep, exponent] =
    dtype === "F32" ? [new Uint32Array(n), 0x807fffff, 0x3f000000] : [new Uint16Array(n), 0x83ff, 0x3800];
  let x = seed * 2654435761 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x & keep) | exponent;
  }
  return new Uint8Array(out.buffer);
}

function input(name: string, shape: Shape, dtype: "F32" | "F16"): TorchTensorInput {
  return { name, dtype, shape, data: () => bytesOf(shape, dtype, name.length * 7919 + shape[0]) };
}

/** The released layout: which file each canonical tensor lives in, under its original name. */
function writeCheckpoints(dir: string): Record<string, string> {
  const base = baseTensorShapes(config);
  const llama: TorchTensorInput[] = [];
  const flamingo: TorchTensorInput[] = [];
  const clip: TorchTensorInput[] = [];
  for (const [name, shape] of base) {
    if (name.startsWith("vision_encoder.")) clip.push(input(name.slice("vision_encoder.".length), shape, "F32"));
    else if (name.startsWith("perceiver.") || name.startsWith("lang_encoder."))
      flamingo.push(input(name, shape, "F32"));
    else if (name === "model.embed_tokens.weight" || name === "lm_head.weight") {
      flamingo.push(
        input(name === "lm_head.weight" ? "lang_encoder.lm_head.weight" : `lang_encoder.${name}`, shape, "F32"),
      );
      llama.push(input(name, [32000, shape[1]], "F16"));
    } else llama.push(input(name, shape, "F16"));
  }
  const lora = [...loraTensorShapes(config)].map(([n, s]) => input(`module.${n}`, s, "F32"));
  for (const t of [...llama, ...flamingo, ...clip, ...lora]) {
    if (mapName("lora", t.name).kind === "unknown" && mapName("llama", t.name).kind === "unknown") {
      throw new Error(`bench: ${t.name} would not map`);
    }
  }
  const llamaDir = join(dir, "llama-hf");
  mkdirSync(llamaDir, { recursive: true });
  const half = Math.ceil(llama.length / 2);
  const shards = [llama.slice(0, half), llama.slice(half)];
  const weightMap: Record<string, string> = {};
  shards.forEach((tensors, i) => {
    const file = `pytorch_model-0000${i + 1}-of-00002.bin`;
    writeTorchCheckpoint(join(llamaDir, file), tensors);
    for (const t of tensors) weightMap[t.name] = file;
  });
  writeFileSync(join(llamaDir, "pytorch_model.bin.index.json"), JSON.stringify({ weight_map: weightMap }));
  const files = {
    llama: llamaDir,
    openflamingo: join(dir, "checkpoint.pt"),
    clip: join(dir, "open_clip.pt"),
    lora: join(dir, "lora.pt"),
  };
  writeTorchCheckpoint(files.openflamingo, flamingo);
  writeTorchCheckpoint(files.clip, clip);
  writeTorchCheckpoint(files.lora, lora);
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return files;
}

function du(path: string): number {
  const r = spawnSync("du", ["-sb", path], { encoding: "utf8" });
  return Number(r.stdout.split("\t")[0]);
}

function timed(args: string[]): { maxRssKb: number; seconds: number; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-v", process.execPath, BIN, ...args], { encoding: "utf8" });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`mmgpt ${args.join(" ")} failed:\n${r.stderr}`);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return { maxRssKb: Number(m?.[1] ?? 0), seconds, stderr: r.stderr };
}

const dir = v.dir!;
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
let t = performance.now();
const files = writeCheckpoints(dir);
const inBytes = du(dir);
console.log(
  `synthetic checkpoints: ${(inBytes / GB).toFixed(2)} GB in ${((performance.now() - t) / 1000).toFixed(1)}s`,
);
for (const [k, p] of Object.entries(files)) console.log(`  ${k}: ${p} (${(du(p) / GB).toFixed(2)} GB)`);

const largest = Math.max(...[...baseTensorShapes(config).values()].map((s) => numel(s) * 4));
const idle = timed(["convert", "--help"]);
const out = join(dir, "out");
const args = ["convert", ...Object.entries(files).flatMap(([k, p]) => [`--${k}`, p])];
const run = timed([...args, "--out", out, "--dtype", v.dtype!, "--config", join(dir, "config.json")]);
const outBytes = du(out);
t = performance.now();
verifyManifest(out);
const verifySecs = (performance.now() - t) / 1000;

const mb = (kb: number) => `${f(kb / 1024, 0)} MiB`;
const figures = {
  "synthetic checkpoints": `${f(inBytes / GB)} GB (${v.layers} LLaMA-shaped layers of hidden 2048)`,
  [`converted to --dtype ${v.dtype}`]: `${f(outBytes / GB)} GB in ${f(run.seconds, 1)} s`,
  "read+write rate": `${f((inBytes + outBytes) / GB / run.seconds)} GB/s`,
  "peak RSS": `${mb(run.maxRssKb)} (node + tsx baseline ${mb(idle.maxRssKb)})`,
  "largest tensor as f32": `${f(largest / 2 ** 20, 0)} MiB`,
  "peak RSS / checkpoint size": f((run.maxRssKb * 1024) / inBytes, 3),
  "(peak − baseline) / largest f32 tensor": f(((run.maxRssKb - idle.maxRssKb) * 1024) / largest),
  verifyManifest: `${f(verifySecs, 1)} s (${f(outBytes / GB / verifySecs)} GB/s sha256)`,
};
for (const [k, x] of Object.entries(figures)) console.log(`  ${k}: ${x}`);
const result = newResult(
  "convert",
  "Converter",
  "`mmgpt convert` in a child process under `/usr/bin/time -v` on a synthetic checkpoint set in the released formats (LLaMA-shaped sharded .bin, OpenFlamingo checkpoint.pt, open_clip, LoRA): peak RSS against the checkpoint's size and its largest tensor. No goals: the converter streams tensors in chunks, so its peak should not grow with the model.",
);
result.cases.push({ name: `${v.layers} layers, --dtype ${v.dtype}`, figures, goals: [] });
writeResult(result, v.out);
if (!v.keep) rmSync(dir, { recursive: true, force: true });
