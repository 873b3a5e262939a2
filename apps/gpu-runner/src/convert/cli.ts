// The `mmgpt` command line: `convert` (checkpoints → runner model directory, or an adapter
// with --lora-only) and `verify` (a directory against its manifest). Parses arguments,
// resolves paths against the directory the user ran npm from, and prints errors plainly.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { ModelConfig } from "../model/config.js";
import { loadModelConfig } from "../model/load-config.js";
import { PRESETS } from "../model/presets.js";
import { convertCheckpoints, OUTPUT_DTYPES, type OutputDtype } from "./convert.js";
import { ConvertError } from "./errors.js";
import { verifyManifest } from "./manifest.js";

const USAGE = `usage:
  mmgpt convert --llama DIR --openflamingo FILE --clip FILE [--lora FILE] --out DIR
                [--dtype fp32|fp16|bf16] [--config openflamingo-9b-mmgpt|mmgpt-tiny|DIR|config.json]
                [--merge-lora] [--force]
  mmgpt convert --lora-only --lora FILE --out DIR [--config …] [--force]
  mmgpt verify DIR

  --llama         Hugging Face LLaMA-7B directory (sharded .bin or .safetensors with index json)
  --openflamingo  OpenFlamingo-9B checkpoint.pt
  --clip          open_clip ViT-L/14 state dict (visual.* keys; .pt/.bin/.safetensors)
  --lora          MultiModal-GPT LoRA checkpoint (mmgpt-lora-v0-release.pt)
  --dtype         storage dtype of base weights (default fp16); adapters are stored in f32.
                  int4 is not a storage dtype: the runner quantizes at graph build (MMGPT_PRECISION=int4)
  --merge-lora    fold the adapter into the base weights instead of writing lora/
  --lora-only     write only an adapter directory (adapter.safetensors + manifest.json) that can
                  be copied into a converted model as lora/
`;

/** npm runs scripts from the root package; paths the user typed are relative to where they were. */
function userPath(p: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), p);
}

function configFrom(arg: string | undefined): ModelConfig {
  const name = arg ?? "openflamingo-9b-mmgpt";
  if (Object.hasOwn(PRESETS, name)) return PRESETS[name];
  const path = userPath(name);
  if (!existsSync(path)) {
    throw new ConvertError(
      "bad_argument",
      `--config ${name}: not a preset (${Object.keys(PRESETS).join(", ")}) nor a file`,
    );
  }
  // loadModelConfig reads `<dir>/config.json`; accept the file itself too.
  return loadModelConfig(path.endsWith(".json") ? resolve(path, "..") : path);
}

function convert(argv: string[]): void {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      llama: { type: "string" },
      openflamingo: { type: "string" },
      clip: { type: "string" },
      lora: { type: "string" },
      out: { type: "string" },
      dtype: { type: "string" },
      config: { type: "string" },
      "merge-lora": { type: "boolean" },
      "lora-only": { type: "boolean" },
      force: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (v.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (v.dtype === "int4") {
    throw new ConvertError(
      "bad_argument",
      "--dtype int4: the runner quantizes to int4 itself when it builds its graphs; convert with --dtype fp16 and start the runner with MMGPT_PRECISION=int4",
    );
  }
  if (v.dtype !== undefined && !Object.hasOwn(OUTPUT_DTYPES, v.dtype)) {
    throw new ConvertError(
      "bad_argument",
      `--dtype ${v.dtype}: expected one of ${Object.keys(OUTPUT_DTYPES).join(", ")}`,
    );
  }
  const opt = (p: string | undefined) => (p === undefined ? undefined : userPath(p));
  convertCheckpoints({
    config: configFrom(v.config),
    llama: opt(v.llama),
    openflamingo: opt(v.openflamingo),
    clip: opt(v.clip),
    lora: opt(v.lora),
    out: opt(v.out) ?? "",
    dtype: v.dtype as OutputDtype | undefined,
    mergeLora: v["merge-lora"],
    loraOnly: v["lora-only"],
    force: v.force,
    progress: process.stderr,
    log: (line) => process.stderr.write(`${line}\n`),
  });
}

export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  try {
    if (command === "convert") convert(rest);
    else if (command === "verify" && rest.length === 1) {
      const m = verifyManifest(userPath(rest[0]));
      process.stderr.write(`${rest[0]}: ${Object.keys(m.files).length} files match manifest.json\n`);
    } else {
      process.stderr.write(USAGE);
      return 2;
    }
    return 0;
  } catch (e) {
    const known = e instanceof ConvertError || (e instanceof Error && /Error$/.test(e.name) && "code" in e);
    process.stderr.write(`mmgpt ${command}: ${known ? (e as Error).message : (e as Error).stack}\n`);
    if (e instanceof ConvertError && e.code === "bad_argument") process.stderr.write(`\n${USAGE}`);
    return 1;
  }
}
