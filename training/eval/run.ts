// `npm run eval`: the held-out shapes-world split asked through the real stack (edge → runner,
// started as `npm start` starts it) with the official `openai` client, once per serving
// configuration; prints the per-task accuracy table with issue 14's goals and writes the results.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aggregate, checkGoals, int4Gap } from "./aggregate";
import { ArgsError, type EvalOptions, parseEvalArgs, ROOT, USAGE } from "./args";
import { checkServed, evalClient, StackError } from "./client";
import { fp32Twin } from "./configs";
import { DataError, type EvalSplit, loadSplit } from "./dataset";
import { type AnswerRecord, askAll, referenceCheck } from "./evaluate";
import { ImageInliner } from "./images";
import { type RunInfo, writeOutputs } from "./outputs";
import { type ConfigResult, markdownTable } from "./report";
import { ScoreError } from "./score";
import { ModelDirError, manifestSha, modelName, servingCopy, stackEnv, withStack } from "./serve";

const say = (msg: string) => process.stderr.write(`[eval] ${msg}\n`);
const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** Progress at most every 5 s, and at the end: "fp32-fp16: 120/640 answers, 31 s". */
function progress(config: string, total: number, t0: number) {
  let last = performance.now();
  return (done: number) => {
    if (done < total && performance.now() - last < 5000) return;
    last = performance.now();
    say(`${config}: ${done}/${total} answers, ${seconds(t0).toFixed(0)} s`);
  };
}

async function evaluate(opts: EvalOptions, split: EvalSplit, check: RunInfo["referenceCheck"], runDir: string) {
  const startedAt = new Date();
  // The tiny model is generated fresh in the run's own directory; a real one is served from a copy.
  const modelDir =
    opts.modelDir === null
      ? join(runDir, "models", "mmgpt-tiny")
      : servingCopy(opts.modelDir, join(ROOT, "training", "runs", "eval", "models"));
  const inliner = new ImageInliner(split.dir);
  const results: ConfigResult[] = [];
  const records: AnswerRecord[] = [];
  let name = "";
  for (const config of opts.configs) {
    say(`${config.id}: starting the stack (${config.precision} weights, ${config.kvCacheDtype} KV cache)`);
    const t0 = performance.now();
    const result = await withStack(stackEnv(config, modelDir, runDir), async (stack) => {
      const startSeconds = seconds(t0);
      name = modelName(modelDir);
      const client = evalClient(stack.baseURL, stack.apiKey);
      await checkServed(client, name);
      say(`${config.id}: stack up in ${startSeconds.toFixed(0)} s; asking ${split.items.length} questions of ${name}`);
      const t1 = performance.now();
      const run = await askAll(
        client,
        split.items,
        { config: config.id, model: name, maxTokens: opts.maxTokens, concurrency: opts.concurrency, inliner },
        progress(config.id, split.items.length, t1),
      );
      return { run, startSeconds, askSeconds: seconds(t1) };
    });
    const agg = aggregate(result.run.scored);
    const errors = result.run.scored.filter((s) => s.error).length;
    if (result.run.rateLimit !== null && result.run.rateLimit < split.items.length)
      say(
        `${config.id}: warning: the key's burst is ${result.run.rateLimit} (a .dev.vars in the root overrides the eval's)`,
      );
    if (errors > 0)
      say(`${config.id}: ${errors} requests failed (first: ${result.run.records.find((r) => r.error)?.error})`);
    results.push({
      config,
      aggregate: agg,
      goals: checkGoals(agg),
      int4: null,
      startSeconds: result.startSeconds,
      askSeconds: result.askSeconds,
      requests: split.items.length,
      errors,
      rateLimit: result.run.rateLimit,
    });
    records.push(...result.run.records);
  }
  for (const r of results) {
    const twin = fp32Twin(r.config);
    const base = twin && results.find((x) => x.config.id === twin.id);
    if (base) r.int4 = int4Gap(r.aggregate, base.aggregate);
  }
  const info: RunInfo = {
    startedAt,
    finishedAt: new Date(),
    model: {
      // The tiny model's directory is the run's own, deleted afterwards: say what it was instead.
      dir: opts.modelDir ?? "(generated: the mmgpt-tiny preset, seed 1)",
      name,
      manifestSha256: manifestSha(modelDir),
      tiny: opts.modelDir === null,
    },
    split,
    limit: opts.limit,
    request: { temperature: 0, maxTokens: opts.maxTokens, concurrency: opts.concurrency },
    referenceCheck: check,
  };
  return { info, results, records };
}

async function main(): Promise<number> {
  const opts = parseEvalArgs(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd());
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const split = loadSplit(opts.data, opts.limit);
  if (split.items.length === 0) throw new DataError(`${opts.data}: no samples`);
  // The scorer must accept the generator's own answers, or its figures mean nothing.
  const check = referenceCheck(split.items);
  say(`${split.samples} samples, ${split.items.length} answers; the scorer accepts ${check.correct} of the references`);
  if (check.rejected.length > 0)
    say(`warning: references the scorer rejects: ${check.rejected.slice(0, 5).join(", ")}`);
  const runDir = mkdtempSync(join(tmpdir(), "mmgpt-eval-"));
  try {
    const { info, results, records } = await evaluate(opts, split, check, runDir);
    process.stdout.write(`${markdownTable(results)}\n`);
    writeOutputs(opts.out, info, results, records);
    say(`wrote results.json, results.md and samples.jsonl to ${opts.out}`);
    return 0;
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof ArgsError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    const known = [DataError, ModelDirError, StackError, ScoreError].some((E) => error instanceof E);
    process.stderr.write(`[eval] ${known ? error.message : (error as Error).stack}\n`);
    process.exit(1);
  },
);
