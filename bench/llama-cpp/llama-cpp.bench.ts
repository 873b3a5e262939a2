// The llama.cpp peer (node-llama-cpp's prebuilt CPU build, installed on first use: peer.ts) on
// the mid-shape random LLaMA, F32 and Q4_0: time to first token for a 256-token prompt, and
// greedy decode ms/token near 256 and near 2048 context, in wall and process-CPU ms (the machine
// may be shared); not a test.
//   npm run llama-cpp -w @mmgpt/bench -- [--types q4_0,f32] [--threads 1,2] [--repeats 5]
//     [--no-long] [--flash auto|on|off] [--out f.json]
//   (models are written once to $TMPDIR/mmgpt-llama-cpp-bench)
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { createRng } from "../../apps/gpu-runner/src/weights/prng.js";
import { newResult, writeResult } from "../lib/results.js";
import { mean, median } from "../lib/stats.js";
import { cachedMidModel, MID_SHAPE, type WeightType } from "./make-model.js";
import {
  type LlamaContextSequence,
  type LlamaModel,
  loadNodeLlamaCpp,
  NODE_LLAMA_CPP_VERSION,
  type Token,
} from "./peer.js";

const { values } = parseArgs({
  options: {
    types: { type: "string", default: "q4_0,f32" },
    threads: { type: "string", default: "1,2" },
    repeats: { type: "string", default: "5" },
    prompt: { type: "string", default: "256" },
    decode: { type: "string", default: "64" },
    long: { type: "boolean", default: true },
    flash: { type: "string", default: "auto" },
    out: { type: "string" },
  },
  allowNegative: true,
});
const repeats = Number(values.repeats);
const promptLen = Number(values.prompt);
const decodeLen = Number(values.decode);
const CONTEXT = MID_SHAPE.contextLength;
/** The long-context decode starts here and ends `decodeLen` short of a full context. */
const longStart = CONTEXT - 2 * decodeLen;
const flashAttention = values.flash === "auto" ? "auto" : values.flash === "on";

/** BOS then seeded random ids past the control and byte pieces: no tokenizer in the timing. */
function randomTokens(n: number, seed: number): Token[] {
  const rng = createRng(seed);
  return [1, ...Array.from({ length: n - 1 }, () => Math.floor(rng.range(259, MID_SHAPE.vocab)))] as Token[];
}

/** Wall and process CPU ms (all threads): CPU time stays honest when other jobs share the cores. */
interface Cost {
  wall: number;
  cpu: number;
}

function stopwatch(): () => Cost {
  const t = performance.now();
  const c = process.cpuUsage();
  return () => {
    const d = process.cpuUsage(c);
    return { wall: performance.now() - t, cpu: (d.user + d.system) / 1000 };
  };
}

/** Decode steps of one run: wall ms of each step, and the CPU ms they took together. */
interface Steps {
  wall: number[];
  cpu: number;
}

/** Evaluates `input`, then greedily takes `decodeLen` more tokens; each later yield is one llama_decode. */
async function generate(seq: LlamaContextSequence, input: Token[]): Promise<{ first: Cost; steps: Steps }> {
  let lap = stopwatch();
  let first: Cost | undefined;
  const wall: number[] = [];
  let cpu = 0;
  for await (const _ of seq.evaluate(input, { temperature: 0 })) {
    const c = lap();
    lap = stopwatch();
    if (first) {
      wall.push(c.wall);
      cpu += c.cpu;
    } else first = c;
    if (wall.length === decodeLen) break;
  }
  return { first: first!, steps: { wall, cpu } };
}

const f1 = (x: number) => x.toFixed(1);

/** Median wall over repeats (the fastest; median CPU). */
function prefillCell(cs: Cost[]): string {
  const wall = cs.map((c) => c.wall);
  const tokPerS = (promptLen / median(wall)) * 1000;
  return `${f1(median(wall))} (min ${f1(Math.min(...wall))}; cpu ${f1(median(cs.map((c) => c.cpu)))}) ${tokPerS.toFixed(0)} tok/s`;
}

/** Median step over all repeats' steps, which shrugs off steps a busy machine preempted (mean; CPU per step). */
function decodeCell(runs: Steps[]): string {
  const wall = runs.flatMap((r) => r.wall);
  const cpu = median(runs.map((r) => r.cpu / r.wall.length));
  return `${f1(median(wall))} (mean ${f1(mean(wall))}; cpu ${f1(cpu)})`;
}

async function benchContext(model: LlamaModel, threads: number): Promise<string[]> {
  const context = await model.createContext({ contextSize: CONTEXT, threads, flashAttention });
  try {
    const seq = context.getSequence();
    const prompt = randomTokens(promptLen, 7);
    const prefill: Cost[] = [];
    const decode: Steps[] = [];
    // One unrecorded run first: it pages the mmapped weights in and warms the thread pool.
    for (let r = -1; r < repeats; r++) {
      await seq.clearHistory();
      const run = await generate(seq, prompt);
      if (r < 0) continue;
      prefill.push(run.first);
      decode.push(run.steps);
    }
    const long: Steps[] = [];
    if (values.long) {
      // Fill once, then each repeat drops the generated tail and decodes from the same point.
      const fill = randomTokens(longStart, 11);
      await seq.clearHistory();
      await seq.evaluateWithoutGeneratingNewTokens(fill.slice(0, -1));
      for (let r = -1; r < repeats; r++) {
        await seq.eraseContextTokenRanges([{ start: longStart - 1, end: seq.nextTokenIndex }]);
        const { first, steps } = await generate(seq, fill.slice(-1));
        // The first step here is a decode too: it evaluates the last fill token.
        if (r >= 0) long.push({ wall: [first.wall, ...steps.wall], cpu: first.cpu + steps.cpu });
      }
    }
    return [String(threads), prefillCell(prefill), decodeCell(decode), long.length ? decodeCell(long) : "-"];
  } finally {
    await context.dispose();
  }
}

const WIDTHS = [18, 7, 50, 32, 32];
const printRow = (r: string[]) => console.log(`| ${r.map((c, i) => c.padEnd(WIDTHS[i]!)).join(" | ")} |`);

const { getLlama, LlamaLogLevel } = await loadNodeLlamaCpp();
const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
const header = [
  "weights (load avg)",
  "threads",
  `first token after ${promptLen}-token prompt (ms)`,
  `decode @${promptLen} (ms/token)`,
  `decode @${longStart} (ms/token)`,
];
const result = newResult(
  "llama-cpp",
  "llama.cpp peer",
  `node-llama-cpp ${NODE_LLAMA_CPP_VERSION} (llama.cpp release ${llama.llamaCppRelease.release}), its ${llama.buildType} CPU build, on the mid-llama shape (hidden ${MID_SHAPE.hidden}, ${MID_SHAPE.layers} layers, ${MID_SHAPE.heads}/${MID_SHAPE.kvHeads} heads of ${MID_SHAPE.headDim}, FFN ${MID_SHAPE.ffn}, vocab ${MID_SHAPE.vocab}) with random weights; context ${CONTEXT}, flash attention ${values.flash}. ${repeats} repeats of a ${promptLen}-token prompt then ${decodeLen} greedy decode steps. Wall ms: prompt = median (min) over repeats, decode = median (mean) over all steps; cpu = process CPU ms, all threads. No goals: the peer the runner's figures are compared with.`,
);
console.log(`node-llama-cpp prebuilt (${llama.buildType}), llama.cpp tag ${llama.llamaCppRelease.release}`);
console.log(`CPU: ${llama.cpuMathCores} math cores; ${llama.systemInfo.trim()}`);
printRow(header);
console.log(`|${WIDTHS.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const type of values.types.split(",") as WeightType[]) {
  const model = await llama.loadModel({ modelPath: await cachedMidModel(type) });
  for (const threads of values.threads.split(",").map(Number)) {
    const load = loadavg()[0]!.toFixed(1);
    const row = [`${type} (${load})`, ...(await benchContext(model, threads))];
    printRow(row);
    result.cases.push({
      name: `${type}, ${threads} thread(s)`,
      figures: Object.fromEntries(header.slice(2).map((h, i) => [h, row[i + 2]!])),
      goals: [],
    });
  }
  await model.dispose();
}
writeResult(result, values.out);
