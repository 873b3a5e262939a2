import { describe, expect, it } from "vitest";
import { MMGPT_TINY, OPENFLAMINGO_9B_MMGPT } from "./presets.js";
import { modelStructure } from "./structure.js";

describe("model structure without weights", () => {
  it("the 9B preset builds every graph, uses every checkpoint tensor, and counts ~9B parameters", () => {
    const s = modelStructure(OPENFLAMINGO_9B_MMGPT);
    const p = s.params;
    console.log(
      `openflamingo-9b-mmgpt: vision ${(p.vision / 1e6).toFixed(1)}M, perceiver ${(p.perceiver / 1e6).toFixed(1)}M, ` +
        `LLaMA ${(p.language / 1e9).toFixed(3)}B, gated xattn ${(p.crossAttention / 1e9).toFixed(3)}B, total ${(p.total / 1e9).toFixed(3)}B, LoRA ${(p.lora / 1e6).toFixed(2)}M; ` +
        s.graphs.map((g) => `${g.kind} ${g.nodes} nodes`).join(", "),
    );
    expect(s.unused).toEqual([]);
    // CLIP ViT-L/14 visual tower without ln_post/proj: 303.2M.
    expect(p.vision).toBeGreaterThan(302e6);
    expect(p.vision).toBeLessThan(304e6);
    // LLaMA-7B is 6.738B at 32000 tokens; 3 added rows in embed_tokens and lm_head.
    expect(p.language).toBe(6_738_415_616 + 2 * 3 * 4096);
    // OpenFlamingo-9B: ~1.3B of perceiver + cross-attention on top, about 8.3B in all.
    expect(p.total).toBeGreaterThan(8.2e9);
    expect(p.total).toBeLessThan(9.2e9);
    // LoRA r=16 on q,k,v,o of 32 layers + to_q,to_kv,to_out,ff.1,ff.3 of 8 gated blocks.
    const selfAttn = 32 * 4 * 16 * (4096 + 4096);
    const xattn = 8 * 16 * (4096 + 512 + (1024 + 1024) + (512 + 4096) + (4096 + 16384) + (16384 + 4096));
    expect(p.lora).toBe(selfAttn + xattn);
  });

  it("the tiny preset has the same structure at a small size", () => {
    const s = modelStructure(MMGPT_TINY);
    expect(s.unused).toEqual([]);
    expect(s.params.total).toBeLessThan(5e6);
  });
});
