// Starts the real stack (scripts/start.mjs through test/e2e/stack.ts) for one serving
// configuration. The model is served from a copy, because the runner builds its graphs beside the
// weights and a committed model directory must stay as committed.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { type Stack, startStack } from "../../test/e2e/stack";
import type { ServeConfig } from "./configs";

export class ModelDirError extends Error {
  override name = "ModelDirError";
}

export function manifestSha(dir: string): string | null {
  const file = join(dir, "manifest.json");
  return existsSync(file) ? createHash("sha256").update(readFileSync(file)).digest("hex") : null;
}

/**
 * The directory to serve `source` from: `cacheRoot/<name>`, copied again when the source's
 * manifest changed. The copy keeps the graphs the runner built there (fp32 and int4), so a second
 * eval of the same model starts without rebuilding them.
 */
export function servingCopy(source: string, cacheRoot: string): string {
  const dir = resolve(source);
  if (!existsSync(join(dir, "config.json")))
    throw new ModelDirError(
      `${dir} holds no model (config.json missing): export one with \`/usr/bin/python3 training/recipe.py export\`, ` +
        "pass --model-dir DIR, or --tiny for the seeded random model",
    );
  if (!existsSync(join(dir, "manifest.json")))
    throw new ModelDirError(`${dir} has no manifest.json (export.py and \`mmgpt convert\` write one)`);
  const copy = join(cacheRoot, basename(dir));
  if (manifestSha(copy) !== manifestSha(dir)) {
    rmSync(copy, { recursive: true, force: true });
    mkdirSync(cacheRoot, { recursive: true });
    cpSync(dir, copy, { recursive: true });
  }
  return copy;
}

/** The model's id in the API: config.json's name. */
export function modelName(dir: string): string {
  return JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).name;
}

/**
 * What start.mjs and its children get on top of this process's environment. The development key's
 * token bucket (600 a minute, burst 60) would throttle the eval: wrangler dev takes variables
 * from the process environment when CLOUDFLARE_INCLUDE_PROCESS_ENV is true and the root has no
 * .dev.vars (which would win; the first reply's x-ratelimit-limit header tells).
 */
export function stackEnv(config: ServeConfig, modelDir: string, tmpDir: string): Record<string, string> {
  return {
    MMGPT_MODEL_DIR: modelDir,
    MMGPT_PRECISION: config.precision,
    MMGPT_KV_CACHE_DTYPE: config.kvCacheDtype,
    CLOUDFLARE_INCLUDE_PROCESS_ENV: "true",
    RATE_LIMIT_PER_MINUTE: "1000000000",
    RATE_LIMIT_BURST: "1000000000",
    // startStack makes its state directory (wrangler's D1/R2 data, uploaded images) under
    // os.tmpdir(): pointing TMPDIR at the run's own directory lets the run delete it afterwards.
    TMPDIR: tmpDir,
  };
}

/** Runs `fn` against a stack started with `env` added to process.env; stops the stack afterwards. */
export async function withStack<T>(env: Record<string, string>, fn: (stack: Stack) => Promise<T>): Promise<T> {
  // startStack spawns start.mjs with process.env: set it for the spawn, then restore it.
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  let stack: Stack;
  try {
    stack = await startStack(10 * 60_000);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const stop = () => void stack.stop();
  process.once("SIGINT", stop);
  try {
    return await fn(stack);
  } finally {
    process.off("SIGINT", stop);
    await stack.stop();
  }
}
