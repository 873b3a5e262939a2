// `mmgpt convert`: opens the user's checkpoints, plans every tensor (plan.ts), then streams
// them one at a time into `<out>.tmp-<pid>` (safetensors shards, LoRA adapter, config.json,
// manifest.json) and renames it to `<out>` only when complete: a crash never leaves `<out>`.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { ModelConfig } from "../model/config.js";
import { DTYPE_BYTES, type FloatDtype } from "../weights/dtype.js";
import { numel } from "../weights/shape.js";
import { ConvertError } from "./errors.js";
import { writeManifest } from "./manifest.js";
import { openCheckpoint } from "./open-source.js";
import { type Plan, type PlanSources, planConversion } from "./plan.js";
import { Progress, type ProgressSink } from "./progress.js";
import { type TensorWriter, writeAdapter, writeBaseShards } from "./write-tensors.js";

export type OutputDtype = "fp32" | "fp16" | "bf16";
export const OUTPUT_DTYPES: Record<OutputDtype, FloatDtype> = { fp32: "F32", fp16: "F16", bf16: "BF16" };

export interface ConvertOptions {
  config: ModelConfig;
  llama?: string;
  openflamingo?: string;
  clip?: string;
  lora?: string;
  out: string;
  /** Storage dtype of base weights (default fp16). Adapters are always stored in f32. */
  dtype?: OutputDtype;
  /** Fold the adapter into the base (W + alpha/r·B·A) instead of writing `lora/`. */
  mergeLora?: boolean;
  /** Write only an adapter directory (adapter.safetensors + manifest.json). */
  loraOnly?: boolean;
  /** Replace an existing `out`. */
  force?: boolean;
  maxShardBytes?: number;
  progress?: ProgressSink | null;
  log?: (line: string) => void;
  /** Called before each tensor is produced; tests throw here to simulate an interruption. */
  onTensor?: (name: string, index: number) => void;
}

export interface ConvertReport {
  out: string;
  files: string[];
  tensors: number;
  bytes: number;
  seconds: number;
  plan: Plan;
}

export function convertCheckpoints(opts: ConvertOptions): ConvertReport {
  const t0 = performance.now();
  checkArguments(opts);
  const log = opts.log ?? (() => {});
  removeStaleTemporaries(opts.out);
  const sources: PlanSources = {};
  try {
    for (const c of ["llama", "openflamingo", "clip", "lora"] as const) {
      const path = opts[c];
      if (path) sources[c] = openCheckpoint(path);
    }
    const plan = planConversion(opts.config, sources, { loraOnly: opts.loraOnly });
    describePlan(plan, sources, log);
    const dtype = OUTPUT_DTYPES[opts.dtype ?? "fp16"];
    const merge = opts.mergeLora === true;
    const baseBytes = plan.base.reduce((n, p) => n + numel(p.shape) * DTYPE_BYTES[dtype], 0);
    const loraBytes = merge ? 0 : plan.lora.reduce((n, p) => n + numel(p.shape) * 4, 0);
    const progress = new Progress(baseBytes + loraBytes, opts.progress ?? null);
    const writer: TensorWriter = { plan, progress, onTensor: opts.onTensor, index: 0 };

    const tmp = `${opts.out}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    try {
      const files: string[] = [];
      if (opts.loraOnly) {
        files.push(...writeAdapter(writer, tmp, opts.lora!));
      } else {
        files.push(...writeBaseShards(writer, join(tmp, "weights"), dtype, merge, opts.maxShardBytes));
        if (plan.hparams && !merge) {
          files.push(...writeAdapter(writer, join(tmp, "lora"), opts.lora!).map((f) => `lora/${f}`));
        }
        // A merged model must never get the adapter applied a second time by the runner.
        const config = merge ? { ...plan.config, lora: null } : plan.config;
        writeFileSync(join(tmp, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
        files.push("config.json");
        writeManifest(tmp);
        files.push("manifest.json");
      }
      progress.finish();
      replaceDirectory(tmp, opts.out);
      const seconds = (performance.now() - t0) / 1000;
      log(
        `wrote ${opts.out} (${files.length} files, ${(progress.done / 1e9).toFixed(2)} GB) in ${seconds.toFixed(1)}s`,
      );
      return { out: opts.out, files, tensors: writer.index, bytes: progress.done, seconds, plan };
    } catch (e) {
      progress.finish();
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  } finally {
    for (const s of Object.values(sources)) s.close();
  }
}

function checkArguments(o: ConvertOptions): void {
  const bad = (msg: string) => new ConvertError("bad_argument", msg);
  if (!o.out) throw bad("--out is required");
  if (o.loraOnly) {
    if (!o.lora) throw bad("--lora-only needs --lora FILE");
    if (o.llama || o.openflamingo || o.clip) throw bad("--lora-only takes only --lora (the base is converted apart)");
    if (o.mergeLora) throw bad("--merge-lora needs the base weights, not --lora-only");
  } else {
    const missing = (["llama", "openflamingo", "clip"] as const).filter((c) => !o[c]);
    if (missing.length) throw bad(`missing ${missing.map((c) => `--${c}`).join(", ")} (or use --lora-only)`);
    if (o.mergeLora && !o.lora) throw bad("--merge-lora needs --lora FILE");
  }
  if (o.dtype && !Object.hasOwn(OUTPUT_DTYPES, o.dtype)) throw bad(`unknown --dtype ${o.dtype}`);
  if (existsSync(o.out) && !o.force) throw bad(`${o.out} already exists (pass --force to replace it)`);
}

function describePlan(plan: Plan, sources: PlanSources, log: (line: string) => void): void {
  for (const [c, s] of Object.entries(sources)) log(`${c}: ${s.path} (${s.tensors.size} tensors)`);
  for (const [reason, n] of plan.dropped) log(`skipped ${n} tensor(s): ${reason}`);
  for (const o of plan.overrides) log(`override ${o}`);
  if (plan.hparams) log(`LoRA r=${plan.hparams.r} alpha=${plan.hparams.alpha} (from ${plan.hparams.from})`);
}

/** Swap in the finished directory; an existing one (with --force) goes only after that. */
function replaceDirectory(tmp: string, out: string): void {
  if (!existsSync(out)) {
    mkdirSync(dirname(out), { recursive: true });
    renameSync(tmp, out);
    return;
  }
  const old = `${out}.old-${process.pid}`;
  renameSync(out, old);
  renameSync(tmp, out);
  rmSync(old, { recursive: true, force: true });
}

/** `<out>.tmp-<pid>` of a run that was killed (its process is gone) is garbage: remove it. */
function removeStaleTemporaries(out: string): void {
  const dir = dirname(out);
  if (!existsSync(dir)) return;
  const re = new RegExp(`^${basename(out).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.tmp-(\\d+)$`);
  for (const name of readdirSync(dir)) {
    const m = re.exec(name);
    if (m && !isAlive(Number(m[1]))) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
