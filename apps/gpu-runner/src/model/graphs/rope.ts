// RoPE tables in HF LLaMA's convention: inv_freq[i] = θ^(-2i/d), angle = pos·inv_freq,
// tables [maxPositions, d/2]; rotate_half pairs element i with i + d/2. Computed in float64
// and stored once per graph.
import { bytesOf, DT, type GraphBuilder } from "../../onnx/graph-builder.js";

export function ropeTables(headDim: number, maxPositions: number, theta: number) {
  const half = headDim / 2;
  const cos = new Float32Array(maxPositions * half);
  const sin = new Float32Array(maxPositions * half);
  for (let pos = 0; pos < maxPositions; pos++) {
    for (let i = 0; i < half; i++) {
      // HF computes inv_freq in float32 from an integer arange: match it.
      const invFreq = Math.fround(1 / theta ** ((2 * i) / headDim));
      const angle = Math.fround(pos * invFreq);
      cos[pos * half + i] = Math.cos(angle);
      sin[pos * half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

export function ropeCaches(g: GraphBuilder, headDim: number, maxPositions: number, theta: number) {
  const { cos, sin } = ropeTables(headDim, maxPositions, theta);
  return {
    cos: g.initializer("rope.cos_cache", DT.FLOAT, [maxPositions, headDim / 2], bytesOf(cos)),
    sin: g.initializer("rope.sin_cache", DT.FLOAT, [maxPositions, headDim / 2], bytesOf(sin)),
  };
}
