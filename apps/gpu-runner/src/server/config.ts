// Runner configuration from the environment, validated once at start: every bad value is
// reported by variable name with what was expected, and the process refuses to start.

import type { KvDtype } from "../model/graphs/self-attention.js";
import type { Precision } from "../model/graphs/weights.js";
import type { ExecutionProvider } from "../runtime/ort.js";

export interface RunnerConfig {
  modelDir: string;
  /** Preset to generate when modelDir is empty (only mmgpt-tiny can be generated). */
  model: string;
  provider: ExecutionProvider;
  threads: number;
  precision: Precision;
  kvDtype: KvDtype;
  host: string;
  port: number;
  secret: string;
  maxBatch: number;
  slots: number;
  maxQueue: number;
  /** Rows of the batch one tenant may hold (its share; the rest stays open to others). */
  tenantRows: number;
  /** Waiting requests one tenant may have. */
  tenantQueue: number;
  maxContext: number | null;
  imageFeatureMB: number;
  imagePixelMB: number;
  logPrompts: boolean;
  drainSeconds: number;
  prefixCache: boolean;
  /** Extra models: the base with another LoRA adapter merged, selected by the request's `model`. */
  adapters: { id: string; dir: string }[];
}

/** Every variable, its default and meaning (a test checks the runner's README documents each one). */
export const ENV_DOCS: Record<string, { default: string; doc: string }> = {
  MMGPT_MODEL_DIR: {
    default: ".mmgpt/models/mmgpt-tiny",
    doc: "Model directory (config.json, weights/, lora/, built graphs)",
  },
  MMGPT_MODEL: { default: "mmgpt-tiny", doc: "Preset generated into an empty MODEL_DIR (only mmgpt-tiny)" },
  MMGPT_EXECUTION_PROVIDER: { default: "cpu", doc: "ONNX Runtime execution provider: cpu | cuda" },
  MMGPT_THREADS: { default: "0", doc: "Intra-op threads (0 = one per core)" },
  MMGPT_PRECISION: { default: "fp32", doc: "Linear layers: fp32 | int4 (MatMulNBits)" },
  MMGPT_KV_CACHE_DTYPE: {
    default: "fp16",
    doc: "KV cache elements: fp16 (half the memory and the bytes a long-context step reads) | fp32",
  },
  MMGPT_HOST: { default: "127.0.0.1", doc: "Listen address" },
  MMGPT_PORT: { default: "8788", doc: "Listen port" },
  RUNNER_SECRET: { default: "(required)", doc: "Shared secret the edge sends as a bearer token" },
  MMGPT_MAX_BATCH: { default: "8", doc: "Sequences decoded together per step" },
  MMGPT_SLOTS: {
    default: "16",
    doc: "Conversations whose KV caches are kept (running ones included) for prefix reuse",
  },
  MMGPT_MAX_QUEUE: { default: "64", doc: "Waiting requests before 503 overloaded" },
  MMGPT_TENANT_ROWS: {
    default: "(half of MMGPT_MAX_BATCH)",
    doc: "Batch rows one account may hold at once (choices and beam rows alike); also the largest n or num_beams",
  },
  MMGPT_TENANT_QUEUE: {
    default: "(a quarter of MMGPT_MAX_QUEUE)",
    doc: "Waiting requests one account may have before its next gets 503 overloaded",
  },
  MMGPT_MAX_CONTEXT: { default: "(model)", doc: "Prompt + completion limit in tokens" },
  MMGPT_IMAGE_FEATURE_CACHE_MB: { default: "256", doc: "Budget for cached image features (cross-attention K/V)" },
  MMGPT_IMAGE_PIXEL_CACHE_MB: { default: "128", doc: "Budget for stored preprocessed images" },
  MMGPT_LOG_PROMPTS: { default: "false", doc: "Log prompt text (off: logs carry ids and counts only)" },
  MMGPT_DRAIN_SECONDS: { default: "30", doc: "Grace period for in-flight requests on SIGTERM" },
  MMGPT_ADAPTERS: {
    default: "",
    doc: "Extra model ids served from the same base with another LoRA adapter: `id=dir,…` (dirs from `mmgpt convert --lora-only`)",
  },
  MMGPT_PREFIX_CACHE: { default: "true", doc: "Reuse the KV cache of earlier turns (false only for measurements)" },
};

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): RunnerConfig {
  const problems: string[] = [];
  const str = (name: string) => env[name] ?? (ENV_DOCS[name].default.startsWith("(") ? "" : ENV_DOCS[name].default);
  const int = (name: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const raw = str(name);
    const v = Number(raw);
    if (!/^\d+$/.test(raw) || v < min || v > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected an integer from ${min} to ${max}`);
      return min;
    }
    return v;
  };
  const oneOf = <T extends string>(name: string, values: readonly T[]): T => {
    const v = str(name) as T;
    if (!values.includes(v)) problems.push(`${name}=${JSON.stringify(v)}: expected one of ${values.join(", ")}`);
    return v;
  };
  const secret = env.RUNNER_SECRET ?? "";
  if (secret.length < 16) problems.push("RUNNER_SECRET: required, at least 16 characters");
  const cfg: RunnerConfig = {
    modelDir: str("MMGPT_MODEL_DIR"),
    model: str("MMGPT_MODEL"),
    provider: oneOf("MMGPT_EXECUTION_PROVIDER", ["cpu", "cuda"] as const),
    threads: int("MMGPT_THREADS", 0, 1024),
    precision: oneOf("MMGPT_PRECISION", ["fp32", "int4"] as const),
    kvDtype: oneOf("MMGPT_KV_CACHE_DTYPE", ["fp16", "fp32"] as const),
    host: str("MMGPT_HOST"),
    port: int("MMGPT_PORT", 0, 65535),
    secret,
    maxBatch: int("MMGPT_MAX_BATCH", 1, 256),
    slots: int("MMGPT_SLOTS", 1, 1024),
    maxQueue: int("MMGPT_MAX_QUEUE", 0, 100000),
    tenantRows: 0,
    tenantQueue: 0,
    maxContext: env.MMGPT_MAX_CONTEXT ? int("MMGPT_MAX_CONTEXT", 16, 1 << 20) : null,
    imageFeatureMB: int("MMGPT_IMAGE_FEATURE_CACHE_MB", 0, 1 << 20),
    imagePixelMB: int("MMGPT_IMAGE_PIXEL_CACHE_MB", 0, 1 << 20),
    logPrompts: oneOf("MMGPT_LOG_PROMPTS", ["true", "false"] as const) === "true",
    drainSeconds: int("MMGPT_DRAIN_SECONDS", 0, 3600),
    prefixCache: oneOf("MMGPT_PREFIX_CACHE", ["true", "false"] as const) === "true",
    adapters: (env.MMGPT_ADAPTERS ?? "")
      .split(",")
      .filter(Boolean)
      .map((entry) => {
        const [id, dir] = entry.split("=");
        if (!id || !dir || !/^[A-Za-z0-9_.:-]{1,64}$/.test(id))
          problems.push(`MMGPT_ADAPTERS: "${entry}" is not id=dir`);
        return { id, dir };
      }),
  };
  // Shares default to a part of the whole, so one account never fills it alone.
  cfg.tenantRows = env.MMGPT_TENANT_ROWS
    ? int("MMGPT_TENANT_ROWS", 1, cfg.maxBatch)
    : Math.max(1, Math.floor(cfg.maxBatch / 2));
  cfg.tenantQueue = env.MMGPT_TENANT_QUEUE
    ? int("MMGPT_TENANT_QUEUE", 0, cfg.maxQueue)
    : Math.max(1, Math.floor(cfg.maxQueue / 4));
  if (cfg.slots < cfg.maxBatch) problems.push(`MMGPT_SLOTS=${cfg.slots} must be ≥ MMGPT_MAX_BATCH=${cfg.maxBatch}`);
  if (problems.length) throw new ConfigError(`invalid runner configuration:\n  ${problems.join("\n  ")}`);
  return cfg;
}
