import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MMGPT_TINY, OPENFLAMINGO_9B_MMGPT } from "../model/presets.js";
import { generateTinyWeights } from "./generate-tiny.js";
import { baseTensorShapes, loraTensorShapes } from "./names.js";
import { WeightStore } from "./store.js";
import { tempDir } from "./test-util.js";
import { validateWeights } from "./validate.js";

const root = tempDir("mmgpt-gen-");
const files = (dir: string) =>
  ["weights/model.safetensors", "lora/adapter.safetensors", "config.json"].map((f) => join(dir, f));
const bytes = (dir: string) => files(dir).map((f) => readFileSync(f));

function std(x: Float32Array): number {
  let s = 0;
  let s2 = 0;
  for (const v of x) {
    s += v;
    s2 += v * v;
  }
  const m = s / x.length;
  return Math.sqrt(s2 / x.length - m * m);
}

describe("generateTinyWeights", () => {
  const out = generateTinyWeights(MMGPT_TINY, join(root, "a"), { seed: 42 });

  it("is deterministic: same seed → byte-identical files, different seed → different", () => {
    generateTinyWeights(MMGPT_TINY, join(root, "b"), { seed: 42 });
    generateTinyWeights(MMGPT_TINY, join(root, "c"), { seed: 43 });
    const [a, b, c] = ["a", "b", "c"].map((d) => bytes(join(root, d)));
    for (let i = 0; i < 3; i++) expect(a[i].equals(b[i])).toBe(true);
    expect(a[0].equals(c[0])).toBe(false);
    expect(a[1].equals(c[1])).toBe(false);
  });

  it("writes exactly the canonical tensors, which pass validation", () => {
    const base = WeightStore.open(join(root, "a", "weights"));
    const lora = WeightStore.open(join(root, "a", "lora"));
    expect(() => validateWeights(base, baseTensorShapes(MMGPT_TINY), "tiny base")).not.toThrow();
    expect(() => validateWeights(lora, loraTensorShapes(MMGPT_TINY), "tiny LoRA")).not.toThrow();
    expect(lora.files[0].metadata).toEqual({ r: "4", alpha: "8", format: "peft" });
    expect(JSON.parse(readFileSync(out.configPath, "utf8"))).toEqual(MMGPT_TINY);
    base.close();
    lora.close();
  });

  it("makes gates and both LoRA factors non-zero, so cross-attention and LoRA show", () => {
    const base = WeightStore.open(out.modelPath);
    const lora = WeightStore.open(out.loraPath!);
    const gates = base.names().filter((n) => n.endsWith("_gate"));
    expect(gates).toHaveLength(4); // 2 gated blocks (layers 1 and 3) × attn/ff
    for (const g of gates) {
      const t = Math.tanh(base.read(g)[0]);
      expect(t).toBeGreaterThan(0.45);
      expect(t).toBeLessThan(0.77);
    }
    for (const n of lora.names()) expect(std(lora.read(n))).toBeGreaterThan(0);
    base.close();
    lora.close();
  });

  it("scales weights so activations stay O(1) and logits are spread, not degenerate", () => {
    const s = WeightStore.open(out.modelPath);
    const h = MMGPT_TINY.language.hidden;
    // Linear layers ~ N(0, 1/in): a unit-variance input keeps unit variance.
    const q = s.read("model.layers.0.self_attn.q_proj.weight");
    expect(std(q) * Math.sqrt(h)).toBeCloseTo(1, 1);
    const down = s.read("model.layers.0.mlp.down_proj.weight");
    expect(std(down) * Math.sqrt(MMGPT_TINY.language.intermediate)).toBeCloseTo(1, 1);
    // Embedding rows → final RMSNorm → lm_head: logits with std ≈ 2 and distinct argmaxes.
    const embed = s.read("model.embed_tokens.weight");
    const norm = s.read("model.norm.weight");
    const head = s.read("lm_head.weight");
    const V = MMGPT_TINY.language.vocabSize;
    const argmaxes = new Set<number>();
    for (const tok of [1, 2, 100, 5000, 32001]) {
      const x = embed.subarray(tok * h, (tok + 1) * h);
      const rms = Math.sqrt(x.reduce((a, v) => a + v * v, 0) / h + 1e-6);
      const logits = new Float32Array(V);
      for (let v = 0; v < V; v++) {
        let d = 0;
        for (let j = 0; j < h; j++) d += head[v * h + j] * ((x[j] / rms) * norm[j]);
        logits[v] = d;
      }
      expect(std(logits)).toBeGreaterThan(1.5);
      expect(std(logits)).toBeLessThan(3);
      argmaxes.add(logits.indexOf(Math.max(...logits)));
    }
    expect(argmaxes.size).toBe(5);
    s.close();
  });

  it("can store F16 and BF16 weights that still validate", () => {
    for (const dtype of ["F16", "BF16"] as const) {
      const o = generateTinyWeights(MMGPT_TINY, join(root, dtype), { seed: 1, dtype });
      const s = WeightStore.open(o.modelPath);
      expect(s.info("lm_head.weight").dtype).toBe(dtype);
      validateWeights(s, baseTensorShapes(MMGPT_TINY), dtype);
      s.close();
    }
  });

  it("writes no adapter when the config has no LoRA", () => {
    const dir = join(root, "a");
    const o = generateTinyWeights({ ...MMGPT_TINY, lora: null }, dir, { seed: 42 });
    expect(o.loraPath).toBeNull();
    expect(existsSync(join(dir, "lora", "adapter.safetensors"))).toBe(false);
  });

  it("refuses to fill a disk with a full-size model", () => {
    const dir = join(root, "big");
    expect(() => generateTinyWeights(OPENFLAMINGO_9B_MMGPT, dir, { seed: 1 })).toThrow(
      /openflamingo-9b-mmgpt has 8243914768 params/,
    );
    expect(existsSync(dir)).toBe(false);
  });
});
