// `npm run eval` flags: parsed and checked before anything starts, each bad value named.
import { isAbsolute, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CONFIGS, type ServeConfig } from "./configs";

export const ROOT = join(import.meta.dirname, "..", "..");

export const USAGE = `npm run eval -- [flags]

  --data DIR          eval split (data.jsonl + meta.jsonl)      default training/runs/shapes/data/eval
  --model-dir DIR     model directory to serve                   default models/mmgpt-shapes
  --tiny              serve the seeded random tiny model instead (checks the pipeline; scores ~0)
  --configs LIST      comma-separated, of ${CONFIGS.map((c) => c.id).join(", ")}   default all four
  --limit N           the first N samples only
  --concurrency N     requests in flight                         default 8
  --max-tokens N      reply length limit                         default 160
  --out DIR           results.json, results.md, samples.jsonl    default training/eval/results
  --help`;

export interface EvalOptions {
  data: string;
  /** null: the seeded tiny model (--tiny). */
  modelDir: string | null;
  configs: ServeConfig[];
  limit: number | undefined;
  concurrency: number;
  maxTokens: number;
  out: string;
  help: boolean;
}

export class ArgsError extends Error {
  override name = "ArgsError";
}

function positiveInt(flag: string, value: string | undefined, fallback: number | undefined, max: number) {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max)
    throw new ArgsError(`--${flag} ${value}: expected an integer from 1 to ${max}`);
  return Number(value);
}

export function parseConfigs(list: string): ServeConfig[] {
  const ids = list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new ArgsError("--configs: name at least one configuration");
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new ArgsError(`--configs: "${twice}" is named twice`);
  return ids.map((id) => {
    const config = CONFIGS.find((c) => c.id === id);
    if (!config) throw new ArgsError(`--configs: unknown "${id}"; known: ${CONFIGS.map((c) => c.id).join(", ")}`);
    return config;
  });
}

/** `cwd`: where relative paths given on the command line start (npm's INIT_CWD under `npm run`). */
export function parseEvalArgs(argv: string[], cwd: string): EvalOptions {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new ArgsError((error as Error).message);
  }
  const path = (value: string | undefined, fallback: string) =>
    value === undefined ? join(ROOT, fallback) : isAbsolute(value) ? value : resolve(cwd, value);
  if (values.tiny && values["model-dir"] !== undefined)
    throw new ArgsError("--tiny and --model-dir exclude each other");
  return {
    data: path(values.data, "training/runs/shapes/data/eval"),
    modelDir: values.tiny ? null : path(values["model-dir"], "models/mmgpt-shapes"),
    configs: values.configs === undefined ? [...CONFIGS] : parseConfigs(values.configs),
    limit: positiveInt("limit", values.limit, undefined, Number.MAX_SAFE_INTEGER),
    // The runner decodes MMGPT_MAX_BATCH (8) sequences together and queues 64 more.
    concurrency: positiveInt("concurrency", values.concurrency, 8, 64) as number,
    // The schema's bound (MAX_OUTPUT_TOKENS).
    maxTokens: positiveInt("max-tokens", values["max-tokens"], 160, 2048) as number,
    out: path(values.out, "training/eval/results"),
    help: values.help === true,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      data: { type: "string" },
      "model-dir": { type: "string" },
      tiny: { type: "boolean" },
      configs: { type: "string" },
      limit: { type: "string" },
      concurrency: { type: "string" },
      "max-tokens": { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}
