// Converting the committed fixtures (every released format, f32/f16/bf16) gives exactly the
// weights they hold under the runner's names, and graphs whose logits are bit-identical to
// building the same weights from safetensors; LoRA kept, merged, or as a separate adapter.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convertCheckpoints } from "../src/convert/convert.js";
import { verifyManifest } from "../src/convert/manifest.js";
import { WeightStore } from "../src/weights/store.js";
import {
  copyTree,
  expectedModel,
  forwardLogits,
  roundTo,
  SETS,
  sameBits,
  tempDir,
} from "./fixtures/checkpoints/helpers.js";

function readAll(dir: string): Map<string, { dtype: string; data: Float32Array }> {
  const out = new Map<string, { dtype: string; data: Float32Array }>();
  const store = WeightStore.open(dir);
  for (const n of store.names()) out.set(n, { dtype: store.info(n).dtype, data: store.read(n) });
  store.close();
  return out;
}

describe.each(SETS)("fixture set $name", (set) => {
  const expected = expectedModel(set);
  const convert = (extra: Partial<Parameters<typeof convertCheckpoints>[0]> = {}) => {
    const out = join(tempDir(), "model");
    convertCheckpoints({ config: set.config, ...set.files, out, dtype: "fp32", ...extra });
    return out;
  };
  const converted = convert();

  it("holds every tensor of the checkpoints, bit for bit, under the canonical names", () => {
    for (const sub of ["weights", "lora"]) {
      const got = readAll(join(converted, sub));
      const want = readAll(join(expected, sub));
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [name, w] of want) expect(sameBits(got.get(name)!.data, w.data), name).toBe(true);
    }
    const meta = WeightStore.open(join(converted, "lora")).files[0].metadata;
    expect([meta.r, meta.alpha]).toEqual(["4", "8"]);
    expect(JSON.parse(readFileSync(join(converted, "config.json"), "utf8"))).toEqual(set.config);
    verifyManifest(converted);
  });

  it("builds graphs whose logits are identical to the same weights from safetensors", async () => {
    const [got, want] = await Promise.all([forwardLogits(converted, set.config), forwardLogits(expected, set.config)]);
    expect(got.length).toBe(10 * set.config.language.vocabSize);
    expect(sameBits(got, want)).toBe(true);
  });

  it("--merge-lora folds the adapter into the base: same logits, no lora/ and lora: null", async () => {
    const merged = convert({ mergeLora: true });
    expect(existsSync(join(merged, "lora"))).toBe(false);
    expect(JSON.parse(readFileSync(join(merged, "config.json"), "utf8")).lora).toBeNull();
    const got = await forwardLogits(merged, { ...set.config, lora: null });
    const want = await forwardLogits(converted, set.config);
    expect(sameBits(got, want)).toBe(true);
  });

  it("--lora-only writes an adapter directory that drops into a base converted without LoRA", async () => {
    const base = convert({ lora: undefined });
    expect(existsSync(join(base, "lora"))).toBe(false);
    const adapter = join(tempDir(), "adapter");
    convertCheckpoints({ config: set.config, lora: set.files.lora, out: adapter, loraOnly: true });
    verifyManifest(adapter);
    copyTree(adapter, join(base, "lora"));
    verifyManifest(base); // the adapter is covered by its own manifest
    const got = await forwardLogits(base, set.config);
    const want = await forwardLogits(converted, set.config);
    expect(sameBits(got, want)).toBe(true);
  });

  it("the default fp16 output builds and runs in the runner (logits within fp16 rounding)", async () => {
    const half = convert({ dtype: undefined });
    const got = await forwardLogits(half, set.config);
    const want = await forwardLogits(converted, set.config);
    const diff = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0);
    expect(diff).toBeGreaterThan(0);
    expect(diff).toBeLessThan(0.05);
  });

  it.each(["fp16", "bf16"] as const)("--dtype %s stores the base rounded once, adapters in f32", (dtype) => {
    const out = convert({ dtype });
    const want = readAll(join(expected, "weights"));
    for (const [name, t] of readAll(join(out, "weights"))) {
      expect(t.dtype).toBe(dtype === "fp16" ? "F16" : "BF16");
      expect(sameBits(t.data, roundTo(want.get(name)!.data, t.dtype as "F16" | "BF16")), name).toBe(true);
    }
    for (const t of readAll(join(out, "lora")).values()) expect(t.dtype).toBe("F32");
  });
});
