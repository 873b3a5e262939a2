// Weight access for the reference: looks tensors up by their canonical checkpoint name,
// checks each shape against the one table in weights/names.ts, and widens to float64
// once per forward call so every later loop runs in double precision.
import { baseTensorShapes, loraTensorShapes, type Shape } from "../../weights/names.js";
import type { ModelConfig } from "../config.js";

export interface RefTensor {
  shape: readonly number[];
  data: Float32Array | Float64Array;
}

/** Weights keyed by canonical name: base tensors, plus optionally the peft LoRA tensors. */
export type RefWeights = Map<string, RefTensor>;

/** Float64 view of a weight map for one config; converts each tensor at most once. */
export class Params {
  private readonly shapes: Map<string, Shape>;
  private readonly cache = new Map<string, Float64Array>();

  constructor(
    config: ModelConfig,
    private readonly weights: RefWeights,
  ) {
    this.shapes = new Map([...baseTensorShapes(config), ...loraTensorShapes(config)]);
  }

  has(name: string): boolean {
    return this.weights.has(name);
  }

  /** The tensor's data in float64; throws if it is missing or its shape is not the canonical one. */
  get(name: string): Float64Array {
    const hit = this.cache.get(name);
    if (hit) return hit;
    const want = this.shapes.get(name);
    if (!want) throw new Error(`reference: ${name} is not a tensor of this config`);
    const t = this.weights.get(name);
    if (!t) throw new Error(`reference: missing weight ${name}`);
    const size = want.reduce((a, b) => a * b, 1);
    if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i]) || t.data.length !== size) {
      throw new Error(`reference: ${name} has shape [${t.shape}] (${t.data.length} values), want [${want}]`);
    }
    const data = t.data instanceof Float64Array ? t.data : Float64Array.from(t.data);
    this.cache.set(name, data);
    return data;
  }

  /** A scalar parameter (the [1]-shaped gates). */
  scalar(name: string): number {
    return this.get(name)[0];
  }
}
