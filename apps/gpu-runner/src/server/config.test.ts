import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, ENV_DOCS, loadConfig } from "./config.js";

describe("runner configuration", () => {
  it("defaults are valid with a secret, and every variable is documented in the runner's README", () => {
    const cfg = loadConfig({ RUNNER_SECRET: "0123456789abcdef" });
    expect(cfg.port).toBe(8788);
    expect(cfg.provider).toBe("cpu");
    const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
    for (const name of Object.keys(ENV_DOCS)) expect(readme, `${name} missing from README`).toContain(name);
  });

  it("reports every bad value at once, by name", () => {
    const bad = () =>
      loadConfig({
        RUNNER_SECRET: "x",
        MMGPT_PORT: "99999",
        MMGPT_PRECISION: "int8",
        MMGPT_SLOTS: "2",
        MMGPT_MAX_BATCH: "4",
      });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/RUNNER_SECRET[\s\S]*MMGPT_PRECISION="int8"[\s\S]*MMGPT_PORT="99999"/);
    expect(bad).toThrow(/MMGPT_SLOTS=2 must be ≥ MMGPT_MAX_BATCH=4/);
  });

  it("gives each tenant a part of the batch and the queue by default, and bounds set shares by the whole", () => {
    const cfg = loadConfig({ RUNNER_SECRET: "0123456789abcdef" });
    expect([cfg.tenantRows, cfg.tenantQueue]).toEqual([4, 16]);
    const one = loadConfig({ RUNNER_SECRET: "0123456789abcdef", MMGPT_MAX_BATCH: "1", MMGPT_MAX_QUEUE: "2" });
    expect([one.tenantRows, one.tenantQueue]).toEqual([1, 1]);
    const set = loadConfig({ RUNNER_SECRET: "0123456789abcdef", MMGPT_TENANT_ROWS: "8", MMGPT_TENANT_QUEUE: "64" });
    expect([set.tenantRows, set.tenantQueue]).toEqual([8, 64]);
    expect(() => loadConfig({ RUNNER_SECRET: "0123456789abcdef", MMGPT_TENANT_ROWS: "9" })).toThrow(
      /MMGPT_TENANT_ROWS="9": expected an integer from 1 to 8/,
    );
  });
});
