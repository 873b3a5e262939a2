// Builds the graphs of any config WITHOUT weights (external references to a file that is
// never read) to check a config end to end and count its parameters by component — how
// the 9B preset is verified on a machine that does not hold the 18 GB checkpoint.
import { GraphBuilder } from "../onnx/graph-builder.js";
import { baseTensorShapes, loraTensorShapes, type Shape } from "../weights/names.js";
import { countParams } from "../weights/shape.js";
import type { ModelConfig } from "./config.js";
import { buildDecoder } from "./graphs/decoder.js";
import { buildMediaKv } from "./graphs/media-kv.js";
import { buildVision } from "./graphs/vision.js";
import { GraphWeights, type TensorSource } from "./graphs/weights.js";

export interface ModelStructure {
  graphs: { kind: string; nodes: number; protoBytes: number }[];
  /** Checkpoint tensors no graph consumes (must be empty). */
  unused: string[];
  params: { vision: number; perceiver: number; language: number; crossAttention: number; total: number; lora: number };
}

export function modelStructure(config: ModelConfig): ModelStructure {
  const shapes = baseTensorShapes(config);
  const source: TensorSource = {
    info(name) {
      const shape = shapes.get(name);
      if (!shape) throw new Error(`structure: no tensor ${name}`);
      return {
        dtype: "F32",
        shape,
        file: "/structure-only/weights.safetensors",
        byteOffset: 0,
        byteLength: countParams([shape]) * 4,
      };
    },
    read(name) {
      throw new Error(`structure: ${name} has no data`);
    },
  };
  const used = new Set<string>();
  const graphs: ModelStructure["graphs"] = [];
  const build = { vision: buildVision, "media-kv": buildMediaKv, decoder: buildDecoder };
  for (const [kind, fn] of Object.entries(build)) {
    const g = new GraphBuilder(kind, {
      append: (b) => ({ location: "structure-only.data", offset: 0, length: b.byteLength }),
    });
    const w = new GraphWeights(g, source, "/structure-only", new Map(), { precision: "fp32", fused: true });
    fn(config, w);
    for (const n of w.used) used.add(n);
    graphs.push({ kind, nodes: g.nodeCount, protoBytes: g.toBytes().byteLength });
  }
  const sum = (pred: (name: string) => boolean) =>
    countParams([...shapes].filter(([n]) => pred(n)).map(([, s]) => s as Shape));
  const vision = sum((n) => n.startsWith("vision_encoder."));
  const perceiver = sum((n) => n.startsWith("perceiver."));
  const crossAttention = sum((n) => n.startsWith("lang_encoder.gated_cross_attn_layers."));
  const language = sum((n) => n.startsWith("model.") || n === "lm_head.weight");
  return {
    graphs,
    unused: [...shapes.keys()].filter((n) => !used.has(n)),
    params: {
      vision,
      perceiver,
      language,
      crossAttention,
      total: vision + perceiver + language + crossAttention,
      lora: countParams(loraTensorShapes(config)),
    },
  };
}
