// Every way a conversion can go wrong gives its own clear error, and none leaves anything
// behind: hostile pickles are refused without running anything, damaged or incomplete
// checkpoints are named, interrupted runs leave no model directory, manifests catch bit flips.
import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { convertCheckpoints } from "../src/convert/convert.js";
import { ConvertError } from "../src/convert/errors.js";
import { verifyManifest } from "../src/convert/manifest.js";
import { readTensor } from "../src/convert/source.js";
import { openTorchCheckpoint } from "../src/convert/torch-checkpoint.js";
import { copyTree, fixture, SMALL, tempDir } from "./fixtures/checkpoints/helpers.js";

function errorOf(fn: () => unknown): ConvertError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConvertError) return e;
    throw e;
  }
  throw new Error("expected a ConvertError");
}

const convertSmall = (overrides: Partial<Parameters<typeof convertCheckpoints>[0]> = {}) => {
  const out = join(tempDir(), "model");
  convertCheckpoints({ config: SMALL.config, ...SMALL.files, out, dtype: "fp32", ...overrides });
  return out;
};

describe("hostile pickles", () => {
  it("a checkpoint whose pickle calls os.system is refused by name and runs nothing", () => {
    const marker = "/tmp/mmgpt-pwned-by-fixture";
    rmSync(marker, { force: true });
    const e = errorOf(() => openTorchCheckpoint(fixture("small/malicious-os-system.pt")));
    expect(e.code).toBe("unsafe_pickle");
    expect(e.message).toMatch(/refused pickle global posix\.system/);
    expect(existsSync(marker)).toBe(false);
    // Through the whole converter too: refused before any output exists.
    const out = join(tempDir(), "model");
    const e2 = errorOf(() =>
      convertCheckpoints({ config: SMALL.config, ...SMALL.files, lora: fixture("small/malicious-os-system.pt"), out }),
    );
    expect(e2.code).toBe("unsafe_pickle");
    expect(existsSync(out)).toBe(false);
    expect(existsSync(marker)).toBe(false);
  });

  it("an opcode outside the state-dict subset (INST) is refused by name", () => {
    const e = errorOf(() => openTorchCheckpoint(fixture("small/unknown-opcode.pt")));
    expect(e.code).toBe("unsafe_pickle");
    expect(e.message).toMatch(/opcode 0x69 \(INST\)/);
  });
});

describe("damaged or incomplete checkpoints", () => {
  it("a truncated zip names the file and says it is truncated", () => {
    for (const keep of [0.5, 0.999]) {
      const dir = tempDir();
      const path = join(dir, "checkpoint.pt");
      writeFileSync(path, readFileSync(SMALL.files.openflamingo));
      truncateSync(path, Math.floor(readFileSync(path).length * keep));
      const e = errorOf(() => openTorchCheckpoint(path));
      expect(e.code).toBe("truncated");
      expect(e.message).toContain(path);
      expect(e.message).toMatch(/truncated/);
    }
  });

  it("a flipped byte inside a tensor fails its CRC-32 when read", () => {
    const path = join(tempDir(), "clip.bin");
    const bytes = readFileSync(SMALL.files.clip);
    bytes[Math.floor(bytes.length / 2)] ^= 0x40;
    writeFileSync(path, bytes);
    const src = openTorchCheckpoint(path);
    const errors = [...src.tensors.values()].map((t) => {
      try {
        readTensor(t);
        return null;
      } catch (e) {
        return e as ConvertError;
      }
    });
    src.close();
    expect(errors.filter((e) => e?.message.includes("CRC-32 mismatch"))).toHaveLength(1);
  });

  it("a shard listed in the index but missing is named", () => {
    const llama = join(tempDir(), "llama");
    copyTree(fixture("tiny/llama-bin-f16"), llama);
    rmSync(join(llama, "pytorch_model-00002-of-00002.bin"));
    const out = join(tempDir(), "model");
    const e = errorOf(() => convertCheckpoints({ config: SMALL.config, ...SMALL.files, llama, out, dtype: "fp32" }));
    expect(e.code).toBe("missing_shard");
    expect(e.message).toMatch(/pytorch_model-00002-of-00002\.bin \(holds \d+ tensors/);
    expect(existsSync(out)).toBe(false);
  });

  it("a tensor whose shape does not match the config is listed with both shapes", () => {
    const config = { ...SMALL.config, language: { ...SMALL.config.language, intermediate: 160 } };
    const e = errorOf(() => convertSmall({ config }));
    expect(e.code).toBe("shape_mismatch");
    expect(e.message).toContain("model.layers.0.mlp.gate_proj.weight: expected [160, 64], found [176, 64]");
    expect(e.problems).toHaveLength(3 * config.language.layers);
  });

  it("a missing LoRA target is named", () => {
    const e = errorOf(() => convertSmall({ lora: fixture("small/lora-missing-target.pt") }));
    expect(e.code).toBe("missing_lora_target");
    expect(e.message).toContain(
      "lang_encoder.base_model.model.model.layers.2.decoder_layer.self_attn.v_proj.lora_A.weight: missing LoRA tensor",
    );
    expect(e.problems).toHaveLength(1);
  });

  it("no checkpoint with the resized vocabulary rows is an error, not a guess", () => {
    const config = { ...SMALL.config, language: { ...SMALL.config.language, vocabSize: 260 } };
    const e = errorOf(() => convertSmall({ config }));
    expect(e.code).toBe("vocab_mismatch");
    expect(e.message).toMatch(/model\.embed_tokens\.weight: no checkpoint gives the resized \[260, 64\]/);
    expect(e.message).toMatch(/openflamingo lang_encoder\.model\.embed_tokens\.weight \[259, 64\], llama/);
  });

  it("a non-contiguous tensor is reported, not misread", () => {
    const src = openTorchCheckpoint(fixture("small/noncontiguous.pt"));
    const t = src.tensors.get("visual.proj")!;
    expect(t.problem).toMatch(/non-contiguous tensor \(size \[4,8\], stride \[1,4\]\)/);
    expect(() => readTensor(t)).toThrow(/non-contiguous/);
    src.close();
  });
});

describe("interrupted conversions and manifests", () => {
  it("an interruption mid-way leaves no output directory and no temporary", () => {
    const parent = tempDir();
    const out = join(parent, "model");
    const e = (() => {
      try {
        convertCheckpoints({
          config: SMALL.config,
          ...SMALL.files,
          out,
          onTensor: (_name, i) => {
            if (i === 40) throw new Error("simulated crash");
          },
        });
      } catch (err) {
        return err as Error;
      }
    })();
    expect(e?.message).toBe("simulated crash");
    expect(readdirSync(parent)).toEqual([]);
  });

  it("a killed run's temporary is never a model and is cleaned by the next run", () => {
    const out = join(tempDir(), "model");
    const stale = `${out}.tmp-999999999`; // a pid that cannot be alive
    copyTree(convertSmall(), stale);
    rmSync(join(stale, "manifest.json")); // the manifest is written last
    expect(errorOf(() => verifyManifest(stale)).message).toMatch(/no manifest\.json/);
    convertCheckpoints({ config: SMALL.config, ...SMALL.files, out, dtype: "fp32" });
    expect(readdirSync(dirname(out))).toEqual(["model"]);
  });

  it("the manifest catches a flipped byte, a missing file and a stray shard, naming the file", () => {
    const out = convertSmall();
    const shard = join(out, "weights/model-00001-of-00001.safetensors");
    const good = readFileSync(shard);
    const bad = Buffer.from(good);
    bad[good.length - 7] ^= 1;
    writeFileSync(shard, bad);
    const e = errorOf(() => verifyManifest(out));
    expect(e.code).toBe("manifest_mismatch");
    expect(e.message).toMatch(/weights\/model-00001-of-00001\.safetensors does not match its sha256/);
    writeFileSync(shard, good);
    verifyManifest(out);
    writeFileSync(join(out, "lora/adapter.safetensors"), "x");
    expect(errorOf(() => verifyManifest(out)).message).toMatch(/lora: adapter\.safetensors has 1 bytes/);
    rmSync(join(out, "lora"), { recursive: true });
    writeFileSync(join(out, "weights/extra.safetensors"), "");
    expect(errorOf(() => verifyManifest(out)).message).toMatch(/not in manifest\.json: weights\/extra\.safetensors/);
    rmSync(join(out, "config.json"));
    expect(errorOf(() => verifyManifest(out)).message).toMatch(/config\.json is missing/);
  });

  it("an existing output is not overwritten without --force", () => {
    const out = convertSmall();
    const e = errorOf(() => convertCheckpoints({ config: SMALL.config, ...SMALL.files, out }));
    expect(e.code).toBe("bad_argument");
    expect(e.message).toMatch(/already exists/);
    convertCheckpoints({ config: SMALL.config, ...SMALL.files, out, force: true });
    verifyManifest(out);
  });
});
