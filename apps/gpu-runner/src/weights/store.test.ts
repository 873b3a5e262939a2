import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WeightsError } from "./errors.js";
import { writeSafetensors } from "./safetensors.js";
import { WeightStore } from "./store.js";
import { tempDir } from "./test-util.js";

const root = tempDir();
const t = (name: string, n: number, v: number) => ({
  name,
  dtype: "F32" as const,
  shape: [n],
  data: new Float32Array(n).fill(v),
});

describe("WeightStore", () => {
  const sharded = join(root, "sharded");
  mkdirSync(sharded);
  writeSafetensors(join(sharded, "model-00001-of-00002.safetensors"), [t("a", 2, 1), t("b", 3, 2)]);
  writeSafetensors(join(sharded, "model-00002-of-00002.safetensors"), [t("c", 4, 3)]);

  it("indexes every *.safetensors file of a directory", () => {
    const s = WeightStore.open(sharded);
    expect(s.names()).toEqual(["a", "b", "c"]);
    expect(s.has("c")).toBe(true);
    expect(s.has("d")).toBe(false);
    expect(s.info("c")).toMatchObject({ name: "c", shape: [4], dtype: "F32" });
    expect(s.info("c").file).toBe(join(sharded, "model-00002-of-00002.safetensors"));
    expect([...s.read("b")]).toEqual([2, 2, 2]);
    s.close();
  });

  it("opens a single file too", () => {
    const s = WeightStore.open(join(sharded, "model-00002-of-00002.safetensors"));
    expect(s.names()).toEqual(["c"]);
    s.close();
  });

  it("names the tensor and the store when a name is absent", () => {
    const s = WeightStore.open(sharded);
    expect(() => s.read("zzz")).toThrow(/sharded: no tensor named zzz/);
    s.close();
  });

  it("refuses a name that appears in two files, naming both", () => {
    const dup = join(root, "dup");
    mkdirSync(dup);
    writeSafetensors(join(dup, "one.safetensors"), [t("a", 2, 1), t("x", 1, 0)]);
    writeSafetensors(join(dup, "two.safetensors"), [t("x", 1, 0)]);
    try {
      WeightStore.open(dup);
      expect.unreachable();
    } catch (e) {
      expect((e as WeightsError).code).toBe("duplicate_tensor");
      expect((e as Error).message).toMatch(/x: in both .*one\.safetensors and .*two\.safetensors/);
    }
  });

  it("reports an empty or missing directory", () => {
    const empty = join(root, "empty");
    mkdirSync(empty);
    expect(() => WeightStore.open(empty)).toThrow(/no \*\.safetensors files/);
    expect(() => WeightStore.open(join(root, "missing"))).toThrow(WeightsError);
  });
});
