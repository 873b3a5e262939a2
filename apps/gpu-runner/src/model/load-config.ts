// Reads and validates a model directory's config.json against the ModelConfig shape: every
// missing or ill-typed field is reported by path, and dimensions must be consistent (heads
// divide widths, the perceiver feeds the cross-attention, …) before any graph is built.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ModelConfig } from "./config.js";

export class ModelConfigError extends Error {}

const POSITIVE_INT = "positive integer";

export function validateModelConfig(raw: unknown, source = "config"): ModelConfig {
  const problems: string[] = [];
  const at = (path: string): unknown =>
    path
      .split(".")
      .reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), raw);
  const need = (path: string, kind: string, ok: (v: unknown) => boolean) => {
    if (!ok(at(path))) problems.push(`${path}: expected ${kind}, found ${JSON.stringify(at(path))}`);
  };
  const int = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  const num = (v: unknown) => typeof v === "number" && v > 0 && Number.isFinite(v);
  need("name", "string", (v) => typeof v === "string" && v.length > 0);
  for (const k of ["imageSize", "patchSize", "width", "layers", "heads", "mlpDim"])
    need(`vision.${k}`, POSITIVE_INT, int);
  for (const k of ["dim", "depth", "heads", "dimHead", "numLatents", "ffMult"])
    need(`perceiver.${k}`, POSITIVE_INT, int);
  for (const k of ["vocabSize", "hidden", "layers", "heads", "kvHeads", "headDim", "intermediate", "maxPositions"])
    need(`language.${k}`, POSITIVE_INT, int);
  for (const k of ["every", "heads", "dimHead", "ffMult", "mediaDim"]) need(`crossAttention.${k}`, POSITIVE_INT, int);
  for (const k of [
    "vision.layerNormEps",
    "perceiver.layerNormEps",
    "language.rmsNormEps",
    "language.ropeTheta",
    "crossAttention.layerNormEps",
  ])
    need(k, "positive number", num);
  need(
    "crossAttention.mediaRule",
    '"next-image" or "previous-image"',
    (v) => v === "next-image" || v === "previous-image",
  );
  for (const k of ["bos", "eos", "endOfChunk", "image", "pad"])
    need(`tokens.${k}`, "token id", (v) => Number.isInteger(v) && (v as number) >= 0);
  const lora = at("lora");
  if (lora !== null && lora !== undefined) {
    need("lora.r", POSITIVE_INT, int);
    need("lora.alpha", "positive number", num);
    need("lora.targets", "array of module names", (v) => Array.isArray(v) && v.every((t) => typeof t === "string"));
  }
  if (problems.length === 0) {
    const c = raw as ModelConfig;
    const check = (cond: boolean, msg: string) => cond || problems.push(msg);
    check(c.vision.imageSize % c.vision.patchSize === 0, "vision.imageSize must be a multiple of vision.patchSize");
    check(c.vision.width % c.vision.heads === 0, "vision.width must be divisible by vision.heads");
    check(c.perceiver.dim === c.vision.width, "perceiver.dim must equal vision.width");
    check(c.crossAttention.mediaDim === c.perceiver.dim, "crossAttention.mediaDim must equal perceiver.dim");
    check(c.language.heads * c.language.headDim === c.language.hidden, "language.heads × headDim must equal hidden");
    check(c.language.heads % c.language.kvHeads === 0, "language.heads must be a multiple of kvHeads");
    check(c.language.headDim % 2 === 0, "language.headDim must be even (RoPE)");
    check(
      Object.values(c.tokens).every((t) => t < c.language.vocabSize),
      "special tokens must lie inside the vocabulary",
    );
  }
  if (problems.length) throw new ModelConfigError(`${source} is not a valid model config:\n  ${problems.join("\n  ")}`);
  const c = raw as ModelConfig;
  return { ...c, lora: c.lora ?? null };
}

export function loadModelConfig(modelDir: string): ModelConfig {
  const path = join(modelDir, "config.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ModelConfigError(`${path}: ${(e as Error).message}`);
  }
  return validateModelConfig(raw, path);
}
