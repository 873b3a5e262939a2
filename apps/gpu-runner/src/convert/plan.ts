// Decides, before anything is written, where every tensor of the model comes from: maps
// each checkpoint's names (names.ts), picks the highest-priority source per tensor (LoRA
// checkpoint > OpenFlamingo > LLaMA/CLIP, as MultiModal-GPT loads them), checks names, shapes,
// dtypes and aliases against the config, and reports every problem at once.
import type { ModelConfig } from "../model/config.js";
import { baseTensorShapes, type LoraTarget, loraTargets, loraTensorShapes, type Shape } from "../weights/names.js";
import { formatShape, sameShape } from "../weights/shape.js";
import { ConvertError, type ConvertErrorCode } from "./errors.js";
import { type LoraHparams, loraHparams } from "./lora-hparams.js";
import { type Component, mapName } from "./names.js";
import type { SourceTensor, TensorSource } from "./source.js";

export type PlanSources = Partial<Record<Component, TensorSource>>;

export interface Candidate {
  component: Component;
  source: TensorSource;
  tensor: SourceTensor;
  alias: boolean;
}

export interface PlannedTensor {
  name: string;
  shape: Shape;
  chosen: Candidate;
  /** Other keys of the same component for this tensor: must hold the same values. */
  aliases: Candidate[];
}

export interface Plan {
  /** The config to write: LoRA r/alpha as the adapter was trained. */
  config: ModelConfig;
  base: PlannedTensor[];
  lora: PlannedTensor[];
  targets: LoraTarget[];
  hparams: LoraHparams | null;
  dropped: Map<string, number>;
  /** "name: from X (over Y [shape])" lines, for the summary. */
  overrides: string[];
}

const RANK: Record<Component, number> = { lora: 3, openflamingo: 2, clip: 1, llama: 1 };
/** Resized to the config vocab by OpenFlamingo; LLaMA's own 32000-row copies must lose. */
const VOCAB_TENSORS = new Set(["model.embed_tokens.weight", "lm_head.weight"]);
const MAX_LINES = 30;

export function planConversion(config: ModelConfig, sources: PlanSources, opts: { loraOnly?: boolean } = {}): Plan {
  const problems: { code: ConvertErrorCode; message: string }[] = [];
  const problem = (code: ConvertErrorCode, message: string) => problems.push({ code, message });
  const cands = new Map<string, Candidate[]>();
  const dropped = new Map<string, number>();
  for (const [component, source] of Object.entries(sources) as [Component, TensorSource][]) {
    for (const tensor of source.tensors.values()) {
      const m = mapName(component, tensor.name);
      if (m.kind === "drop") dropped.set(m.reason, (dropped.get(m.reason) ?? 0) + 1);
      else if (m.kind === "unknown") {
        problem(
          "unexpected_tensor",
          `${tensor.name} in ${source.path}: unexpected tensor ${formatShape(tensor.shape)}`,
        );
      } else cands.set(m.name, [...(cands.get(m.name) ?? []), { component, source, tensor, alias: m.alias }]);
    }
  }

  const hparams = sources.lora ? loraHparams(sources.lora.root, config.lora) : null;
  if (sources.lora && !hparams)
    problem("bad_argument", `config ${config.name} has no LoRA targets for ${sources.lora.path}`);
  const out: ModelConfig = hparams && config.lora ? { ...config, lora: { ...config.lora, ...pick(hparams) } } : config;
  const baseShapes = opts.loraOnly ? new Map<string, Shape>() : baseTensorShapes(out);
  const loraShapes = hparams ? loraTensorShapes(out) : new Map<string, Shape>();
  const overrides: string[] = [];

  const resolve = (name: string, shape: Shape, isLora: boolean): PlannedTensor | null => {
    const all = (cands.get(name) ?? []).sort((a, b) => RANK[b.component] - RANK[a.component] || +a.alias - +b.alias);
    if (all.length === 0) {
      if (isLora) problem("missing_lora_target", `${name}: missing LoRA tensor (expected ${formatShape(shape)})`);
      else problem("missing_tensor", `${name}: missing (expected ${formatShape(shape)}) in ${describe(sources)}`);
      return null;
    }
    let chosen = all[0];
    if (VOCAB_TENSORS.has(name)) {
      const fit = all.find((c) => sameShape(c.tensor.shape, shape));
      if (!fit) {
        const seen = all.map((c) => `${c.component} ${c.tensor.name} ${formatShape(c.tensor.shape)}`).join(", ");
        problem("vocab_mismatch", `${name}: no checkpoint gives the resized ${formatShape(shape)} (found: ${seen})`);
        return null;
      }
      chosen = fit;
    }
    const t = chosen.tensor;
    const where = `${t.name} in ${chosen.source.path}`;
    if (!sameShape(t.shape, shape)) {
      problem("shape_mismatch", `${name}: expected ${formatShape(shape)}, found ${formatShape(t.shape)} (${where})`);
    }
    if (!["F32", "F16", "BF16"].includes(t.dtype))
      problem("unsupported_tensor", `${name}: dtype ${t.dtype} (${where})`);
    if (t.problem) problem("unsupported_tensor", `${name}: ${t.problem} (${where})`);
    const aliases = all.filter((c) => c !== chosen && c.component === chosen.component);
    for (const a of aliases) {
      if (!sameShape(a.tensor.shape, t.shape)) {
        problem("alias_mismatch", `${name}: ${a.tensor.name} ${formatShape(a.tensor.shape)} disagrees with ${where}`);
      }
    }
    const over = all.find((c) => c.component !== chosen.component);
    if (over)
      overrides.push(`${name}: from ${chosen.component} (over ${over.component} ${formatShape(over.tensor.shape)})`);
    return { name, shape, chosen, aliases };
  };

  const base = [...baseShapes].map(([n, s]) => resolve(n, s, false)).filter((p) => p !== null);
  const lora = [...loraShapes].map(([n, s]) => resolve(n, s, true)).filter((p) => p !== null);
  for (const [name, list] of cands) {
    if (baseShapes.has(name) || loraShapes.has(name)) continue;
    for (const c of list) {
      // lora-only: base weights saved with the adapter cannot go into an adapter directory.
      if (opts.loraOnly && c.component === "lora" && !c.tensor.name.includes(".lora_")) {
        problem(
          "unexpected_tensor",
          `${c.tensor.name}: a base weight in the LoRA checkpoint: convert it with the base`,
        );
      } else {
        const msg = `${c.tensor.name} in ${c.source.path}: unexpected tensor ${formatShape(c.tensor.shape)}`;
        problem("unexpected_tensor", opts.loraOnly ? msg : `${msg} (maps to ${name}, not in ${config.name})`);
      }
    }
  }
  if (problems.length > 0) {
    const codes = new Set(problems.map((p) => p.code));
    const code = codes.size === 1 ? problems[0].code : "invalid_checkpoint";
    const lines = problems.slice(0, MAX_LINES).map((p) => `  ${p.message}`);
    if (problems.length > MAX_LINES) lines.push(`  … and ${problems.length - MAX_LINES} more`);
    throw new ConvertError(
      code,
      `checkpoints do not match ${config.name}: ${problems.length} problem(s):\n${lines.join("\n")}`,
      {
        problems: problems.map((p) => p.message),
      },
    );
  }
  return { config: out, base, lora, targets: hparams ? loraTargets(out) : [], hparams, dropped, overrides };
}

function pick(h: LoraHparams) {
  return { r: h.r, alpha: h.alpha };
}

function describe(sources: PlanSources): string {
  return Object.keys(sources).join(" / ") || "no checkpoints";
}
