// The torch zip writer used by benchmarks round-trips through the reader, including the
// zip64 records that every real >4 GiB shard needs; and a rewritten OpenFlamingo checkpoint
// whose aliased cross-attention keys disagree is refused by value, naming both keys.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convertCheckpoints } from "../src/convert/convert.js";
import { ConvertError } from "../src/convert/errors.js";
import { readTensor, type TensorSource } from "../src/convert/source.js";
import { openTorchCheckpoint } from "../src/convert/torch-checkpoint.js";
import { type TorchTensorInput, writeTorchCheckpoint } from "../src/convert/torch-writer.js";
import { ZipReader } from "../src/convert/zip.js";
import { SMALL, sameBits, tempDir } from "./fixtures/checkpoints/helpers.js";

/** Every tensor of `src` as writer input (raw bytes copied out of the reader's chunk buffer). */
function inputsOf(src: TensorSource, edit?: (name: string, raw: Uint8Array) => void): TorchTensorInput[] {
  return [...src.tensors.values()].map((t) => ({
    name: t.name,
    dtype: t.dtype as "F32" | "F16" | "BF16",
    shape: t.shape,
    data: () => {
      const raw = new Uint8Array(t.byteLength);
      let at = 0;
      for (const c of t.chunks(1 << 20)) {
        raw.set(c, at);
        at += c.length;
      }
      edit?.(t.name, raw);
      return raw;
    },
  }));
}

describe("torch zip writer", () => {
  it.each([false, true])("round-trips every tensor through the reader (forceZip64=%s)", (forceZip64) => {
    const src = openTorchCheckpoint(SMALL.files.openflamingo);
    const path = join(tempDir(), "checkpoint.pt");
    writeTorchCheckpoint(path, inputsOf(src), { forceZip64 });
    const back = openTorchCheckpoint(path);
    expect([...back.tensors.keys()]).toEqual([...src.tensors.keys()]);
    for (const [name, t] of src.tensors) {
      expect(back.tensors.get(name)!.shape).toEqual(t.shape);
      expect(sameBits(readTensor(back.tensors.get(name)!), readTensor(t)), name).toBe(true);
    }
    const zip = ZipReader.open(path);
    expect(zip.entries.size).toBe(src.tensors.size + 3);
    zip.close();
    back.close();
    src.close();
  });
});

describe("aliased OpenFlamingo keys", () => {
  it("that hold different values are refused, naming both keys", () => {
    const src = openTorchCheckpoint(SMALL.files.openflamingo);
    const alias = "lang_encoder.model.layers.1.gated_cross_attn_layer.attn_gate";
    const path = join(tempDir(), "checkpoint.pt");
    writeTorchCheckpoint(
      path,
      inputsOf(src, (name, raw) => {
        if (name === alias) raw[0] ^= 1;
      }),
    );
    src.close();
    const out = join(tempDir(), "model");
    let err: unknown;
    try {
      convertCheckpoints({ config: SMALL.config, ...SMALL.files, openflamingo: path, out });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConvertError);
    expect((err as ConvertError).code).toBe("alias_mismatch");
    expect((err as ConvertError).message).toContain(
      `lang_encoder.gated_cross_attn_layers.1.attn_gate: ${alias} and lang_encoder.gated_cross_attn_layers.1.attn_gate`,
    );
  });
});

describe("LoRA hyperparameters", () => {
  it("a flat peft state dict without tuning_config takes r/alpha from the model config, and says so", () => {
    const src = openTorchCheckpoint(SMALL.files.lora);
    const path = join(tempDir(), "adapter_model.bin");
    writeTorchCheckpoint(path, inputsOf(src));
    src.close();
    const lines: string[] = [];
    const out = join(tempDir(), "adapter");
    convertCheckpoints({ config: SMALL.config, lora: path, out, loraOnly: true, log: (l) => lines.push(l) });
    expect(lines).toContain("LoRA r=4 alpha=8 (from the model config (no tuning_config))");
  });
});
