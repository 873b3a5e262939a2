// Runner benchmark (prints figures; not a test). For each config and precision, a real runner
// process serves the model and this script measures, side by side in one run:
//   a. decode tokens/s through the service vs a bare ORT loop on the same graphs, in alternating
//      rounds (goal ≥ 0.95×)
//   b. turn-N time to first token with vs without the prefix cache at ~1,000 tokens of history (goal ≥ 10×)
//   c. aggregate tokens/s at 1, 4 and 8 concurrent streams (goal: 8 ≥ 4× one), beside what the
//      bare graphs allow (one step over 8 rows vs over 1)
//   d. decode ms/token at 256 vs ~2,000 tokens of context (goal ≤ 1.3×), beside the bare graphs
//      (c and d: 3 alternating rounds each, median of the rounds' ratios)
//   e. runner RSS against the weights' size (goal ≤ 1.3×), and what loading the model added to
//      the process (the runner logs rss_mb before and after)
//   npm run runner -w @mmgpt/bench -- [--configs tiny,mid] [--precisions fp32,int4] [--threads 1] [--kv fp32] [--out f.json]
// Writes bench/results/runner.json (or --out): each goal and whether it was met.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from "@mmgpt/schema/internal";
import { runDecoder } from "../../apps/gpu-runner/src/engine/decoder-call.js";
import { KvPool } from "../../apps/gpu-runner/src/engine/kv-pool.js";
import { argmax } from "../../apps/gpu-runner/src/engine/sampling/partial-select.js";
import { MMGPT_MID, MMGPT_MID_LLAMA } from "../../apps/gpu-runner/src/model/bench-configs.js";
import { buildModelGraphs } from "../../apps/gpu-runner/src/model/build.js";
import type { ModelConfig } from "../../apps/gpu-runner/src/model/config.js";
import { MMGPT_TINY } from "../../apps/gpu-runner/src/model/presets.js";
import { ModelRuntime } from "../../apps/gpu-runner/src/model/runtime.js";
import { servingBuild } from "../../apps/gpu-runner/src/server/load-model.js";
import { generateTinyWeights } from "../../apps/gpu-runner/src/weights/generate-tiny.js";
import { greedyParams } from "../../apps/gpu-runner/test/tiny-model.js";
import { fixed as f, goal, newResult, REPO_ROOT, writeResult } from "../lib/results.js";
import { median, medianRatio } from "../lib/stats.js";

const { values } = parseArgs({
  options: {
    configs: { type: "string", default: "tiny,mid" },
    precisions: { type: "string", default: "fp32,int4" },
    threads: { type: "string", default: "2" },
    kv: { type: "string", default: "fp16" },
    out: { type: "string" },
  },
});
const KV = values.kv as "fp16" | "fp32";
const CONFIGS: Record<string, ModelConfig> = { tiny: MMGPT_TINY, mid: MMGPT_MID, "mid-llama": MMGPT_MID_LLAMA };
const SECRET = "bench-secret-0123456789";
const RUNNER_DIR = join(REPO_ROOT, "apps/gpu-runner");
const ROUNDS = 8;
/** Rounds of parts c and d. */
const SIDE_ROUNDS = 3;
const WORDS = "the quick brown fox jumps over a lazy dog while seven wise owls watch from old oak trees".split(" ");
const text = (words: number, seed: number) =>
  Array.from({ length: words }, (_, i) => WORDS[(i * 7 + seed) % WORDS.length]).join(" ");

interface Runner {
  base: string;
  child: ChildProcess;
  /** The runner's own rss_mb log fields: before the model loads and once it is ready. */
  rss: { listening: number; ready: number };
  stop(): Promise<void>;
}

async function startRunner(
  dir: string,
  precision: string,
  port: number,
  extra: Record<string, string> = {},
): Promise<Runner> {
  // The production bundle (what the Docker image runs), so RSS has no TypeScript loader in it.
  const child = spawn(process.execPath, ["dist/main.js"], {
    cwd: RUNNER_DIR,
    env: {
      ...process.env,
      RUNNER_SECRET: SECRET,
      MMGPT_MODEL_DIR: dir,
      MMGPT_PORT: String(port),
      MMGPT_PRECISION: precision,
      MMGPT_THREADS: values.threads!,
      MMGPT_KV_CACHE_DTYPE: KV,
      MMGPT_MAX_BATCH: "8",
      MMGPT_SLOTS: "10",
      ...extra,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  // A bench that fails must not leave a runner behind.
  const orphan = () => child.kill("SIGKILL");
  process.once("exit", orphan);
  const rss = { listening: 0, ready: 0 };
  let logTail = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    logTail += chunk;
    for (let nl = logTail.indexOf("\n"); nl >= 0; nl = logTail.indexOf("\n")) {
      const line = JSON.parse(logTail.slice(0, nl));
      logTail = logTail.slice(nl + 1);
      if (line.msg === "runner listening") rss.listening = line.rss_mb;
      if (line.msg === "model ready") rss.ready = line.rss_mb;
    }
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 6000; i++) {
    const r = await fetch(`${base}/readyz`).catch(() => null);
    if (r?.status === 200 && rss.ready) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    child,
    rss,
    stop: () =>
      new Promise((r) => {
        process.off("exit", orphan);
        child.on("exit", () => r());
        child.kill("SIGTERM");
      }),
  };
}

interface StreamResult {
  ttft: number;
  gaps: number[];
  tokens: number;
  promptTokens: number;
  total: number;
}

// node:http rather than fetch: the client shares this machine's two cores with the runner, and
// undici's web streams cost several times more CPU per streamed line.
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/**
 * One streamed generation; times are ms from sending the request. A kept-alive socket that the
 * runner closes as the request goes out (its 5 s idle timeout; rounds of a loaded machine get that
 * long) fails before any response: the request is sent again, once, on a new socket.
 */
function generate(
  r: Runner,
  model: string,
  turns: unknown[],
  maxTokens: number,
  id: string,
  retried = false,
): Promise<StreamResult> {
  const body = JSON.stringify({
    request_id: id,
    model,
    // One tenant: the benchmark measures prefix reuse, which tenants never share.
    tenant: "bench-tenant-0123456789",
    conversation_id: id,
    turns,
    params: greedyParams({ max_tokens: maxTokens }),
    stream: true,
  });
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      `${r.base}/internal/v1/generate`,
      {
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${SECRET}`,
          [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        responded = true;
        res.setEncoding("utf8");
        let buf = "";
        if (res.statusCode !== 200) {
          res.on("data", (c: string) => (buf += c));
          res.on("end", () => reject(new Error(`generate: ${res.statusCode} ${buf}`)));
          return;
        }
        const out: StreamResult = { ttft: 0, gaps: [], tokens: 0, promptTokens: 0, total: 0 };
        let last = 0;
        res.on("data", (chunk: string) => {
          buf += chunk;
          for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
            const ev = JSON.parse(buf.slice(0, nl));
            buf = buf.slice(nl + 1);
            const now = performance.now() - t0;
            if (ev.type === "delta") {
              if (!out.ttft) out.ttft = now;
              else out.gaps.push(now - last);
              last = now;
            }
            if (ev.type === "done") {
              out.tokens = ev.usage.completion_tokens;
              out.promptTokens = ev.usage.prompt_tokens;
            }
          }
        });
        res.on("end", () => resolve({ ...out, total: performance.now() - t0 }));
        res.on("error", reject);
      },
    );
    let responded = false;
    req.on("error", (e: NodeJS.ErrnoException) =>
      !responded && !retried && e.code === "ECONNRESET"
        ? resolve(generate(r, model, turns, maxTokens, id, true))
        : reject(e),
    );
    req.end(body);
  });
}

/**
 * Bare loop: ModelRuntime.decode + KV append + argmax, nothing else, on a runtime the caller
 * keeps loaded. Returns the median ms per token of `steps` decode steps after `contextTokens`.
 */
async function bareDecode(rt: ModelRuntime, config: ModelConfig, contextTokens: number, steps: number) {
  const pool = new KvPool(config.language, 1, 2048, rt.kvDtype);
  const call = async (ids: number[]) => {
    const row = { tokens: ids, images: [], times: new Int32Array(ids.length) };
    // Decode steps write into kept output buffers, as the engine's do.
    const out = await runDecoder(rt, pool, 0, [row], { reuseOutputs: ids.length === 1 });
    // The engine's own greedy pick (sampling/partial-select.ts), so neither side pays more for it.
    return argmax(out.logits);
  };
  let token = await call(Array.from({ length: contextTokens }, (_, i) => 100 + (i % 5000)));
  const times: number[] = [];
  for (let s = 0; s < steps; s++) {
    const t = performance.now();
    token = await call([token]);
    times.push(performance.now() - t);
  }
  return median(times);
}

/**
 * The graphs' own batching and context scaling, for parts c and d: median ms of one bare
 * decode step over `batch` rows that each hold `context` positions (cache contents do not
 * change the work, so the rows are filled by length, not by prefill).
 */
async function bareSteps(rt: ModelRuntime, config: ModelConfig, batch: number, context: number, steps = 24) {
  const pool = new KvPool(config.language, batch, 2048, rt.kvDtype);
  pool.ensure(context + steps);
  pool.lengths.fill(context);
  let tokens = Array.from({ length: batch }, (_, b) => 100 + b);
  const V = config.language.vocabSize;
  const times: number[] = [];
  for (let s = 0; s < steps; s++) {
    const t = performance.now();
    const rows = tokens.map((token) => ({ tokens: [token], images: [], times: [0] }));
    const out = await runDecoder(rt, pool, 0, rows, { reuseOutputs: true });
    tokens = tokens.map((_, b) => argmax(out.logits.subarray(b * V, (b + 1) * V)));
    if (s >= 4) times.push(performance.now() - t);
  }
  return median(times);
}

function rssMB(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) / 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

const dirSizeMB = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0) / 2 ** 20;

execFileSync("npm", ["run", "build", "-w", "@mmgpt/gpu-runner"], { cwd: REPO_ROOT, stdio: "ignore" });
const result = newResult(
  "runner",
  "Runner through the service",
  `The production bundle \`dist/main.js\` as a process over HTTP (a \`node:http\` client on the same machine), greedy, ${KV} KV cache, ${values.threads} ORT threads. Part a alternates ${ROUNDS} rounds of a 64-token service generation with 64 bare steps (the same decoder calls without the service); parts c and d run ${SIDE_ROUNDS} alternating rounds and also show what the bare graphs allow; each ratio is the median of the rounds' ratios, so it can differ from the ratio of the medians beside it. "Weights served" for int4 = its quantized graph data + the fp32 embedding table.`,
);
let port = 19300;
for (const name of values.configs!.split(",")) {
  const config = CONFIGS[name];
  const dir = mkdtempSync(join(tmpdir(), `mmgpt-runner-bench-${name}-`));
  generateTinyWeights(config, dir, { seed: 3, maxParams: 500_000_000 });
  const weightsMB = dirSizeMB(join(dir, "weights"));
  for (const precision of values.precisions!.split(",") as ("fp32" | "int4")[]) {
    buildModelGraphs(config, dir, servingBuild({ precision, kvDtype: KV }));
    const r = await startRunner(dir, precision, port++);
    // Ready = model loaded, before any request (the KV pool then grows with the contexts served).
    const ready = rssMB(r.child.pid!);
    // int4 serves its own quantized data (beside the graphs) plus the fp32 embedding table.
    const graphMB = readdirSync(dir)
      .filter((f) => f.startsWith(`${precision}-`))
      .reduce((n, f) => n + statSync(join(dir, f)).size / 2 ** 20, 0);
    const model = config.name;
    const user = (t: string) => ({ role: "user", text: t });
    // a. service vs bare loop, side by side: rounds of one streamed 64-token generation through
    // the service, then 64 bare steps in this process (this machine's speed drifts by tens of
    // percent within a minute, so each round's ratio compares like with like).
    const bareRt = await ModelRuntime.load(config, dir, servingBuild({ precision, kvDtype: KV }), {
      provider: "cpu",
      threads: Number(values.threads),
    });
    const serviceRounds: number[] = [];
    const bareRounds: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const g = await generate(r, model, [user(`Tell me a long story about the sea, part ${i}.`)], 64, `a${i}`);
      serviceRounds.push(median(g.gaps));
      bareRounds.push(await bareDecode(bareRt, config, 40, 64));
    }
    const serviceMs = median(serviceRounds);
    const bareMs = median(bareRounds);
    const ratio = medianRatio(bareRounds, serviceRounds);
    // b. turn N at ~1,000 tokens of history, warm (prefix cache) vs cold (separate runner without it).
    const history = [
      user(text(185, 1)),
      { role: "assistant", text: text(185, 2) },
      user(text(185, 3)),
      { role: "assistant", text: text(185, 4) },
    ];
    await generate(r, model, [...history, user("And then?")], 4, "b-prime");
    const warm: number[] = [];
    let historyTokens = 0;
    for (let i = 0; i < 5; i++) {
      const g = await generate(r, model, [...history, user(`And then, part ${i}?`)], 1, `b-warm${i}`);
      warm.push(g.ttft);
      historyTokens = g.promptTokens;
    }
    // c. aggregate tokens/s at 1, 4, 8 streams; d. decode ms/token at ~256 vs ~2,000 tokens of
    // context. Both in alternating rounds, each round's ratio comparing like with like.
    const agg: Record<number, number[]> = { 1: [], 4: [], 8: [] };
    const ctx: { short: StreamResult[]; long: StreamResult[] } = { short: [], long: [] };
    for (let round = 0; round < SIDE_ROUNDS; round++) {
      for (const k of [1, 4, 8]) {
        const t = performance.now();
        const rs = await Promise.all(
          Array.from({ length: k }, (_, i) =>
            generate(r, model, [user(`Stream ${i}: ${text(8, i + round)}`)], 48, `c${round}-${k}-${i}`),
          ),
        );
        agg[k].push(rs.reduce((n, x) => n + x.tokens, 0) / ((performance.now() - t) / 1000));
      }
      ctx.short.push(await generate(r, model, [user(text(200, 5 + round))], 32, `d${round}-256`));
      ctx.long.push(await generate(r, model, [user(text(1500, 6 + round))], 32, `d${round}-2k`));
    }
    const scaling = medianRatio(agg[8], agg[1]);
    const msShort = ctx.short.map((g) => median(g.gaps));
    const msLong = ctx.long.map((g) => median(g.gaps));
    const ctxRatio = medianRatio(msLong, msShort);
    const mem = rssMB(r.child.pid!);
    await r.stop();
    // c and d for the bare graphs (runner stopped: the machine is this process's alone).
    const bare: Record<"b1" | "b8" | "c256" | "c2k", number[]> = { b1: [], b8: [], c256: [], c2k: [] };
    for (let round = 0; round < SIDE_ROUNDS; round++) {
      bare.b1.push(await bareSteps(bareRt, config, 1, 24));
      bare.b8.push(await bareSteps(bareRt, config, 8, 24));
      bare.c256.push(await bareSteps(bareRt, config, 1, 256));
      bare.c2k.push(await bareSteps(bareRt, config, 1, 1984));
    }
    const [bare1, bare8, bare256, bare2k] = [bare.b1, bare.b8, bare.c256, bare.c2k].map(median);
    const bareScaling = medianRatio(
      bare.b1.map((b) => 8 * b),
      bare.b8,
    );
    const bareCtx = medianRatio(bare.c2k, bare.c256);
    await bareRt.release();
    const cold = await startRunner(dir, precision, port++, { MMGPT_PREFIX_CACHE: "false" });
    await generate(cold, model, [...history, user("And then?")], 4, "b-prime");
    const coldT: number[] = [];
    for (let i = 0; i < 5; i++)
      coldT.push((await generate(cold, model, [...history, user(`And then, part ${i}?`)], 1, `b-cold${i}`)).ttft);
    await cold.stop();

    const embedMB = (config.language.vocabSize * config.language.hidden * 4) / 2 ** 20;
    const modelMB = precision === "fp32" ? weightsMB : graphMB + embedMB;
    const warmMs = median(warm);
    const coldMs = median(coldT);
    const [short, long] = [ctx.short[0].promptTokens, ctx.long[0].promptTokens];
    const added = r.rss.ready - r.rss.listening;
    const c = {
      name: `${name} ${precision}`,
      figures: {
        "decode, service": `${f(serviceMs)} ms/token (${f(1000 / serviceMs, 1)} tok/s)`,
        "decode, bare ORT loop": `${f(bareMs)} ms/token`,
        "aggregate tok/s, 1 / 4 / 8 streams": [1, 4, 8].map((k) => f(median(agg[k]), 1)).join(" / "),
        "bare graphs: one step of 8 rows vs 1": `${f(bare8)} vs ${f(bare1)} ms → ${f(bareScaling)}× the tokens/s`,
        "bare graphs: 256 vs 1,984 positions": `${f(bare256)} vs ${f(bare2k)} ms → ${f(bareCtx)}×`,
        "runner RSS before loading / what loading added": `${r.rss.listening} MB / ${added} MB (${f(added / modelMB)}× the weights)`,
        "runner RSS after serving 2,000-token contexts": `${f(mem.rss, 0)} MB (peak ${f(mem.hwm, 0)} MB)`,
      },
      goals: [
        goal(
          "decode, service vs bare ORT loop",
          ratio,
          ">=",
          0.95,
          "×",
          `${f(serviceMs)} vs ${f(bareMs)} ms (${f(ratio)}×)`,
        ),
        goal(
          `turn-N TTFT after ${historyTokens} prompt tokens, prefix cache on vs off`,
          coldMs / warmMs,
          ">=",
          10,
          "×",
          `${f(warmMs, 1)} vs ${f(coldMs, 1)} ms (${f(coldMs / warmMs, 1)}×)`,
        ),
        goal(
          "aggregate tok/s, 8 streams vs 1",
          scaling,
          ">=",
          4,
          "×",
          `${f(median(agg[8]), 1)} vs ${f(median(agg[1]), 1)} tok/s (${f(scaling)}×)`,
        ),
        goal(
          `decode after a ${short}- vs a ${long}-token prompt`,
          ctxRatio,
          "<=",
          1.3,
          "×",
          `${f(median(msShort))} vs ${f(median(msLong))} ms (${f(ctxRatio)}×)`,
        ),
        goal(
          "runner RSS at ready vs weights served",
          ready.rss / modelMB,
          "<=",
          1.3,
          "×",
          `${f(ready.rss, 0)} vs ${f(modelMB, 0)} MB (${f(ready.rss / modelMB)}×)`,
        ),
      ],
    };
    result.cases.push(c);
    console.log(`\n== ${c.name}, ${KV} KV cache (threads ${values.threads}) ==`);
    for (const g of c.goals) console.log(`${g.met ? "met    " : "NOT MET"} ${g.name}: ${g.detail} (goal ${g.goal})`);
    for (const [k, v] of Object.entries(c.figures)) console.log(`        ${k}: ${v}`);
  }
  rmSync(dir, { recursive: true, force: true });
}
writeResult(result, values.out);
