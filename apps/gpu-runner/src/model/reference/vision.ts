// CLIP ViT (open_clip VisionTransformer with OpenAI weights) up to the features Flamingo
// uses: the last residual block's output at the patch positions. ln_post and proj are
// deliberately not applied (MODEL.md, open_clip output_tokens=True).
import { type ModelConfig, numPatches } from "../config.js";
import { mapInPlace, quickGelu } from "./activations.js";
import { attention } from "./attention.js";
import { addScaled, linear, sliceRows } from "./linalg.js";
import { layerNorm } from "./norms.js";
import { Params, type RefWeights } from "./weights.js";

const V = "vision_encoder.visual.";

/**
 * conv1 (kernel = stride = patchSize, no bias) as a per-patch dot product. Patches are numbered
 * row-major over the grid (p = gy·grid + gx), the order of conv output flattened over (H, W).
 */
function patchEmbed(config: ModelConfig, params: Params, pixels: Float64Array): Float64Array {
  const { imageSize: S, patchSize: P, width } = config.vision;
  const grid = S / P;
  const w = params.get(`${V}conv1.weight`); // [width, 3, P, P]
  const out = new Float64Array(grid * grid * width);
  for (let gy = 0; gy < grid; gy++) {
    for (let gx = 0; gx < grid; gx++) {
      const row = (gy * grid + gx) * width;
      for (let o = 0; o < width; o++) {
        let s = 0;
        for (let c = 0; c < 3; c++) {
          for (let ky = 0; ky < P; ky++) {
            const wo = ((o * 3 + c) * P + ky) * P;
            const po = (c * S + gy * P + ky) * S + gx * P;
            for (let kx = 0; kx < P; kx++) s += w[wo + kx] * pixels[po + kx];
          }
        }
        out[row + o] = s;
      }
    }
  }
  return out;
}

/** One pre-LN residual block: x += MHA(ln_1(x)); x += c_proj(QuickGELU(c_fc(ln_2(x)))). */
function residualBlock(config: ModelConfig, params: Params, i: number, x: Float64Array, n: number): void {
  const { width: w, heads, mlpDim, layerNormEps: eps } = config.vision;
  const b = `${V}transformer.resblocks.${i}.`;
  const g = (name: string) => params.get(b + name);

  const h = layerNorm(x, w, g("ln_1.weight"), g("ln_1.bias"), eps);
  // nn.MultiheadAttention packs q, k, v as consecutive row blocks of in_proj_weight.
  const inW = g("attn.in_proj_weight");
  const inB = g("attn.in_proj_bias");
  const proj = (part: number) =>
    linear(h, n, sliceRows(inW, w, part * w, (part + 1) * w), w, w, inB.slice(part * w, (part + 1) * w));
  const dimHead = w / heads;
  const a = attention(proj(0), proj(1), proj(2), {
    nq: n,
    nk: n,
    heads,
    kvHeads: heads,
    dimHead,
    scale: dimHead ** -0.5,
  });
  addScaled(x, linear(a, n, g("attn.out_proj.weight"), w, w, g("attn.out_proj.bias")));

  const h2 = layerNorm(x, w, g("ln_2.weight"), g("ln_2.bias"), eps);
  const mid = mapInPlace(linear(h2, n, g("mlp.c_fc.weight"), mlpDim, w, g("mlp.c_fc.bias")), quickGelu);
  addScaled(x, linear(mid, n, g("mlp.c_proj.weight"), w, mlpDim, g("mlp.c_proj.bias")));
}

/** Patch features [numPatches × width] of one normalized CHW image; params already bound. */
export function visionFeatures(config: ModelConfig, params: Params, pixels: Float32Array | Float64Array): Float64Array {
  const v = config.vision;
  if (v.imageSize % v.patchSize !== 0) throw new Error("vision: imageSize is not a multiple of patchSize");
  if (pixels.length !== 3 * v.imageSize * v.imageSize) {
    throw new Error(`vision: ${pixels.length} pixel values, want 3×${v.imageSize}×${v.imageSize}`);
  }
  const n = numPatches(v);
  const w = v.width;
  const patches = patchEmbed(config, params, Float64Array.from(pixels));

  // Token 0 is the class token; tokens 1..n are the patches.
  const x = new Float64Array((n + 1) * w);
  x.set(params.get(`${V}class_embedding`), 0);
  x.set(patches, w);
  addScaled(x, params.get(`${V}positional_embedding`));
  const tokens = layerNorm(x, w, params.get(`${V}ln_pre.weight`), params.get(`${V}ln_pre.bias`), v.layerNormEps);

  for (let i = 0; i < v.layers; i++) residualBlock(config, params, i, tokens, n + 1);
  return sliceRows(tokens, w, 1, n + 1);
}

/** CLIP patch features [numPatches × width] of one normalized CHW image (3×S×S). */
export function referenceVision(
  config: ModelConfig,
  weights: RefWeights,
  pixels: Float32Array | Float64Array,
): Float64Array {
  return visionFeatures(config, new Params(config, weights), pixels);
}
