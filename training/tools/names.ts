// Prints the runner's tensor table for a model config as JSON — every base tensor's name and
// shape, and every LoRA pair with the peft names and the base weight it adapts — so the PyTorch
// side checks and renames against the runner's own table (weights/names.ts), never a copy.
//
//   tsx training/tools/names.ts CONFIG.json | --preset mmgpt-tiny   [--config-only]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { ModelConfig } from "../../apps/gpu-runner/src/model/config.js";
import { PRESETS } from "../../apps/gpu-runner/src/model/presets.js";
import { baseTensorShapes, loraTargets } from "../../apps/gpu-runner/src/weights/names.js";

export function tensorTable(config: ModelConfig) {
  return {
    base: Object.fromEntries(baseTensorShapes(config)),
    lora: loraTargets(config).map(({ base, a, b }) => ({ base, a, b })),
  };
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { preset: { type: "string" }, "config-only": { type: "boolean", default: false } },
});
const config: ModelConfig | undefined = values.preset
  ? PRESETS[values.preset]
  : positionals[0]
    ? JSON.parse(readFileSync(positionals[0], "utf8"))
    : undefined;
if (!config) {
  process.stderr.write(`usage: names.ts CONFIG.json | --preset ${Object.keys(PRESETS).join("|")} [--config-only]\n`);
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(values["config-only"] ? config : tensorTable(config))}\n`);
