// Writes a LLaMA GGUF of the benchmark's mid shape (hidden 1024, 8 layers, 16/4 heads of 64,
// FFN 2816, LLaMA's 32000-token vocab) with seeded random weights, for llama.cpp to run.
//   npx tsx bench/llama-cpp/make-model.ts --type q4_0|f32 [--out file.gguf] [--seed 1]   (from the root)
// Q4_0 files quantize every matrix, token_embd and output included; norms stay F32.
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { llamaModel } from "../../apps/gpu-runner/src/tokenizer/llama-vocab.js";
import { createRng, hashString } from "../../apps/gpu-runner/src/weights/prng.js";
import { GgmlType, type GgufTensor, type GgufValue, writeGguf } from "./gguf-writer.js";

export const MID_SHAPE = {
  hidden: 1024,
  layers: 8,
  heads: 16,
  kvHeads: 4,
  headDim: 64,
  ffn: 2816,
  vocab: 32000,
  contextLength: 2048,
} as const;

export type WeightType = "f32" | "q4_0";

/** LLAMA_FTYPE_* (llama.h): the file's dominant tensor type. */
const FILE_TYPE: Record<WeightType, number> = { f32: 0, q4_0: 2 };

type Init = { kind: "normal"; std: number } | { kind: "norm" };

/** Seeded rows of one tensor, ~1M values per chunk; each name gets its own stream. */
function randomRows(name: string, dims: readonly number[], init: Init, seed: number): () => Iterable<Float32Array> {
  return function* rows() {
    const rng = createRng((seed ^ hashString(name)) >>> 0);
    const rowLen = dims[0]!;
    let remaining = dims.reduce((a, b) => a * b, 1) / rowLen;
    const perChunk = Math.max(1, Math.floor((1 << 20) / rowLen));
    while (remaining > 0) {
      const n = Math.min(perChunk, remaining);
      const chunk = new Float32Array(n * rowLen);
      // Norm weights near one, as in a trained model: keeps activations at a sane scale.
      if (init.kind === "norm") rng.fillNormal(chunk, 0.02, 1);
      else rng.fillNormal(chunk, init.std);
      remaining -= n;
      yield chunk;
    }
  };
}

function midTensors(type: WeightType, seed: number): GgufTensor[] {
  const { hidden, layers, heads, kvHeads, headDim, ffn, vocab } = MID_SHAPE;
  const matrixType = type === "q4_0" ? GgmlType.Q4_0 : GgmlType.F32;
  const tensor = (name: string, dims: number[], init: Init): GgufTensor => ({
    name,
    dims,
    type: init.kind === "norm" ? GgmlType.F32 : matrixType,
    rows: randomRows(name, dims, init, seed),
  });
  // A linear of [out, in] is ggml [in, out]; N(0, 1/fan_in) keeps activations ~unit scale.
  const linear = (name: string, inDim: number, outDim: number) =>
    tensor(name, [inDim, outDim], { kind: "normal", std: 1 / Math.sqrt(inDim) });
  const norm = (name: string) => tensor(name, [hidden], { kind: "norm" });

  const out = [tensor("token_embd.weight", [hidden, vocab], { kind: "normal", std: 1 })];
  for (let i = 0; i < layers; i++) {
    const b = `blk.${i}`;
    out.push(
      norm(`${b}.attn_norm.weight`),
      linear(`${b}.attn_q.weight`, hidden, heads * headDim),
      linear(`${b}.attn_k.weight`, hidden, kvHeads * headDim),
      linear(`${b}.attn_v.weight`, hidden, kvHeads * headDim),
      linear(`${b}.attn_output.weight`, heads * headDim, hidden),
      norm(`${b}.ffn_norm.weight`),
      linear(`${b}.ffn_gate.weight`, hidden, ffn),
      linear(`${b}.ffn_up.weight`, hidden, ffn),
      linear(`${b}.ffn_down.weight`, ffn, hidden),
    );
  }
  out.push(norm("output_norm.weight"), linear("output.weight", hidden, vocab));
  return out;
}

async function midMetadata(type: WeightType): Promise<Record<string, GgufValue>> {
  const s = MID_SHAPE;
  const u32 = (value: number): GgufValue => ({ type: "u32", value });
  const f32 = (value: number): GgufValue => ({ type: "f32", value });
  const { pieces } = await llamaModel();
  return {
    "general.architecture": { type: "string", value: "llama" },
    "general.name": { type: "string", value: `mmgpt-bench-mid-${type}` },
    "general.file_type": u32(FILE_TYPE[type]),
    "llama.vocab_size": u32(s.vocab),
    "llama.context_length": u32(s.contextLength),
    "llama.embedding_length": u32(s.hidden),
    "llama.block_count": u32(s.layers),
    "llama.feed_forward_length": u32(s.ffn),
    "llama.attention.head_count": u32(s.heads),
    "llama.attention.head_count_kv": u32(s.kvHeads),
    "llama.rope.dimension_count": u32(s.headDim),
    "llama.attention.layer_norm_rms_epsilon": f32(1e-6),
    "llama.rope.freq_base": f32(10000),
    "tokenizer.ggml.model": { type: "string", value: "llama" },
    "tokenizer.ggml.tokens": { type: "string[]", value: pieces.map((p) => p.piece) },
    "tokenizer.ggml.scores": { type: "f32[]", value: pieces.map((p) => p.score) },
    // SentencePiece's piece types and llama.cpp's token types share their numbering.
    "tokenizer.ggml.token_type": { type: "i32[]", value: pieces.map((p) => p.type) },
    "tokenizer.ggml.bos_token_id": u32(1),
    "tokenizer.ggml.eos_token_id": u32(2),
    "tokenizer.ggml.unknown_token_id": u32(0),
    "tokenizer.ggml.add_bos_token": { type: "bool", value: true },
    "tokenizer.ggml.add_eos_token": { type: "bool", value: false },
  };
}

/** Writes the model to `path` (via a temp name, so a killed run leaves no half file). */
export async function makeMidModel(path: string, type: WeightType, seed = 1): Promise<number> {
  const tmp = `${path}.partial`;
  const bytes = writeGguf(tmp, await midMetadata(type), midTensors(type, seed));
  renameSync(tmp, path);
  return bytes;
}

/** The cached model file for (type, seed), written on first use. */
export async function cachedMidModel(type: WeightType, seed = 1): Promise<string> {
  const dir = join(tmpdir(), "mmgpt-llama-cpp-bench");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `mid-${type}-seed${seed}.gguf`);
  if (!existsSync(path)) await makeMidModel(path, type, seed);
  return path;
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? "")).href) {
  const { values } = parseArgs({
    options: {
      type: { type: "string", default: "q4_0" },
      out: { type: "string" },
      seed: { type: "string", default: "1" },
    },
  });
  const type = values.type as WeightType;
  if (!(type in FILE_TYPE)) throw new Error(`--type must be f32 or q4_0, got ${values.type}`);
  const out = values.out ?? `mid-${type}.gguf`;
  const t0 = performance.now();
  const bytes = await makeMidModel(out, type, Number(values.seed));
  console.log(`${out}: ${(bytes / 2 ** 20).toFixed(1)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
