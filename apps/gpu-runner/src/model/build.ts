// Builds a model directory's ONNX graphs from its config and checkpoint-named weights:
// validates every tensor, merges the LoRA adapter (W + alpha/r·B·A), and writes
// `<variant>.vision.onnx`, `<variant>.media-kv.onnx`, `<variant>.decoder.onnx` beside the
// weights. Unchanged tensors stay in the safetensors files (external data points there).
import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ExternalDataFile } from "../onnx/data-file.js";
import { GraphBuilder } from "../onnx/graph-builder.js";
import { loraScale, mergeLora } from "../weights/lora.js";
import { baseTensorShapes, loraTargets, loraTensorShapes } from "../weights/names.js";
import { WeightStore } from "../weights/store.js";
import { validateWeights } from "../weights/validate.js";
import type { ModelConfig } from "./config.js";
import { buildDecoder } from "./graphs/decoder.js";
import { buildMediaKv } from "./graphs/media-kv.js";
import type { KvDtype } from "./graphs/self-attention.js";
import { buildVision } from "./graphs/vision.js";
import { GraphWeights, type Precision } from "./graphs/weights.js";

export interface BuildOptions {
  precision: Precision;
  fused: boolean;
  /** The KV cache's element type (default fp32; see graphs/self-attention.ts). */
  kvDtype?: KvDtype;
  /** Merge the adapter in `lora/` (default: when the directory has one). */
  lora?: boolean;
  /** Merge this adapter directory (`mmgpt convert --lora-only` output) instead of `lora/`. */
  adapter?: { id: string; dir: string };
}

export type GraphKind = "vision" | "media-kv" | "decoder";
export const GRAPH_KINDS: GraphKind[] = ["vision", "media-kv", "decoder"];

export function variantName(o: BuildOptions): string {
  const lora = o.adapter
    ? `-adapter-${o.adapter.id.replace(/[^A-Za-z0-9_.-]/g, "_")}`
    : o.lora === false
      ? "-nolora"
      : "";
  const kv16 = o.kvDtype === "fp16" ? "-kv16" : "";
  // "append" names the KV-cache design (graphs/self-attention.ts), the only one since the
  // others were removed; kept so the graphs already built in model directories keep their names.
  return `${o.precision}-${o.fused ? "fused" : "plain"}-append${kv16}${lora}`;
}

export function graphPath(modelDir: string, o: BuildOptions, kind: GraphKind): string {
  return join(modelDir, `${variantName(o)}.${kind}.onnx`);
}

export interface BuildReport {
  variant: string;
  files: string[];
  loraMerged: number;
  ms: number;
}

/** Merged weights for every LoRA target, keyed by the base tensor name. */
export function mergedLoraWeights(
  config: ModelConfig,
  base: WeightStore,
  modelDir: string,
  adapterDir = join(modelDir, "lora"),
): Map<string, Float32Array> {
  const merged = new Map<string, Float32Array>();
  const path = join(adapterDir, "adapter.safetensors");
  if (!config.lora || !existsSync(path)) return merged;
  const lora = WeightStore.open(path);
  try {
    validateWeights(lora, loraTensorShapes(config), `LoRA adapter ${path}`);
    // The adapter's own r/alpha win over the config: they are what it was trained with.
    const meta = lora.files[0].metadata;
    const r = Number(meta.r ?? config.lora.r);
    const alpha = Number(meta.alpha ?? config.lora.alpha);
    if (r !== config.lora.r) throw new Error(`${path}: adapter rank r=${r} but the config says r=${config.lora.r}`);
    const scale = loraScale(alpha, r);
    for (const t of loraTargets(config)) {
      merged.set(t.base, mergeLora(base.read(t.base), lora.read(t.a), lora.read(t.b), t.out, t.in, r, scale));
    }
  } finally {
    lora.close();
  }
  return merged;
}

export function buildModelGraphs(
  config: ModelConfig,
  modelDir: string,
  opts: BuildOptions,
  log: (m: string) => void = () => {},
): BuildReport {
  const t0 = performance.now();
  const store = WeightStore.open(join(modelDir, "weights"));
  const files: string[] = [];
  try {
    validateWeights(store, baseTensorShapes(config), `model weights in ${modelDir}/weights`);
    if (opts.adapter && !existsSync(join(opts.adapter.dir, "adapter.safetensors"))) {
      throw new Error(`adapter ${opts.adapter.id}: no adapter.safetensors in ${opts.adapter.dir}`);
    }
    const overrides = opts.lora === false ? new Map() : mergedLoraWeights(config, store, modelDir, opts.adapter?.dir);
    const builders: Record<GraphKind, (w: GraphWeights) => void> = {
      vision: (w) => buildVision(config, w),
      "media-kv": (w) => buildMediaKv(config, w),
      decoder: (w) => buildDecoder(config, w),
    };
    for (const kind of GRAPH_KINDS) {
      const final = graphPath(modelDir, opts, kind);
      const dataName = `${variantName(opts)}.${kind}.data`;
      // Written under temporary names and renamed at the end: a crash never leaves a
      // graph that looks complete but points at half-written data.
      const sink = new ExternalDataFile(modelDir, `${dataName}.tmp`);
      const g = new GraphBuilder(`mmgpt-${kind}`, {
        append: (bytes) => ({ ...sink.append(bytes), location: dataName }),
      });
      try {
        builders[kind](new GraphWeights(g, store, modelDir, overrides, opts));
        writeFileSync(`${final}.tmp`, g.toBytes());
      } finally {
        sink.close();
      }
      renameSync(join(modelDir, `${dataName}.tmp`), join(modelDir, dataName));
      renameSync(`${final}.tmp`, final);
      files.push(final);
      log(`built ${final} (${g.nodeCount} nodes, ${(sink.bytesWritten / 1e6).toFixed(1)} MB own data)`);
    }
    return { variant: variantName(opts), files, loraMerged: overrides.size, ms: performance.now() - t0 };
  } catch (e) {
    for (const f of files) rmSync(f, { force: true });
    throw e;
  } finally {
    store.close();
  }
}
