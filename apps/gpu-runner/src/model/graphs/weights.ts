// Turns checkpoint tensors into graph initializers. Unchanged tensors point straight into
// their safetensors file (no copy at build time; ORT reads them from there); LoRA-merged
// and quantized tensors are computed once and appended to the builder's data file.
import { relative } from "node:path";
import { bytesOf, DT, type GraphBuilder, MS_DOMAIN } from "../../onnx/graph-builder.js";
import { quantizeInt4 } from "./quantize.js";
import type { KvDtype } from "./self-attention.js";

export interface TensorInfoLike {
  dtype: string;
  shape: readonly number[];
  file: string;
  byteOffset: number;
  byteLength: number;
}

/** What the graphs need from a weight store (apps/gpu-runner/src/weights/store.ts). */
export interface TensorSource {
  info(name: string): TensorInfoLike;
  read(name: string): Float32Array;
}

/** fp32: float matmuls. int4: MatMulNBits (block 32, accuracy_level 4) for every linear layer. */
export type Precision = "fp32" | "int4";

export interface WeightOptions {
  precision: Precision;
  /** Fused contrib ops (FusedMatMul, RotaryEmbedding, SimplifiedLayerNorm, …) versus plain ONNX ops. */
  fused: boolean;
  /** Element type of the decoder's cache inputs/outputs (default fp32). */
  kvDtype?: KvDtype;
}

const SOURCE_TYPES: Record<string, DT> = { F32: DT.FLOAT, F16: DT.FLOAT16, BF16: DT.BFLOAT16 };

export class GraphWeights {
  private readonly added = new Map<string, string>();
  /** Checkpoint tensors this graph consumed (so a build can prove none was skipped). */
  readonly used = new Set<string>();

  constructor(
    readonly g: GraphBuilder,
    private readonly src: TensorSource,
    /** Directory of the .onnx file: external locations are relative to it. */
    private readonly onnxDir: string,
    /** Tensors replaced at build time (LoRA merged), by checkpoint name. */
    private readonly overrides: Map<string, Float32Array>,
    readonly opts: WeightOptions,
  ) {}

  shape(name: string): readonly number[] {
    return this.src.info(name).shape;
  }

  /** The tensor as a float32 value in the graph (named by its checkpoint name). */
  tensor(name: string): string {
    this.used.add(name);
    const hit = this.added.get(name);
    if (hit) return hit;
    const info = this.src.info(name);
    const dims = [...info.shape];
    const override = this.overrides.get(name);
    let out: string;
    if (override) {
      out = this.g.initializer(name, DT.FLOAT, dims, bytesOf(override));
    } else {
      const type = SOURCE_TYPES[info.dtype];
      if (type === undefined) throw new Error(`${name}: dtype ${info.dtype} cannot be used as a weight`);
      const stored = this.g.externalInitializer(type === DT.FLOAT ? name : `${name}:stored`, type, dims, {
        location: relative(this.onnxDir, info.file),
        offset: info.byteOffset,
        length: info.byteLength,
      });
      // Half-precision checkpoints are widened once; ORT folds the Cast at load.
      out =
        type === DT.FLOAT
          ? stored
          : this.g.node("Cast", [stored], `/weights/${name}`, { to: DT.FLOAT }, { outputs: [name] })[0];
    }
    this.added.set(name, out);
    return out;
  }

  /** y = x · Wᵀ for a checkpoint weight W [out, in] (PyTorch Linear layout). */
  linear(x: string, name: string, path: string): string {
    const [out, inn] = this.shape(name);
    if (this.opts.precision === "int4") {
      this.used.add(name);
      const { blob, scales, blockSize } = quantizeInt4(this.values(name), out, inn);
      const nBlocks = Math.ceil(inn / blockSize);
      const b = this.g.initializer(`${name}:q4`, DT.UINT8, [out, nBlocks, blockSize / 2], blob);
      const s = this.g.initializer(`${name}:q4_scales`, DT.FLOAT, [out * nBlocks], bytesOf(scales));
      return this.g.op(
        "MatMulNBits",
        [x, b, s],
        `${path}/MatMulNBits`,
        { K: inn, N: out, bits: 4, block_size: blockSize, accuracy_level: 4 },
        MS_DOMAIN,
      );
    }
    // MatMul on Wᵀ: ORT folds the transpose of a constant once at load, and MLAS's packed
    // GEMV over [in, out] measured ~20% faster here than FusedMatMul(transB) over [out, in].
    const wt = this.g.op("Transpose", [this.tensor(name)], `${path}/weight_T`, { perm: [1, 0] });
    return this.g.op("MatMul", [x, wt], `${path}/MatMul`);
  }

  /** Float32 values of a tensor (merged when overridden). */
  values(name: string): Float32Array {
    return this.overrides.get(name) ?? this.src.read(name);
  }
}
