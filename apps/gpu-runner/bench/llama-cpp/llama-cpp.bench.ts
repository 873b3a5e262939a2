// The llama.cpp peer (node-llama-cpp's prebuilt CPU build) on the mid-shape random LLaMA, F32
// and Q4_0: time to first token for a 256-token prompt, and greedy decode ms/token near
// 256 and near 2048 context. Prints medians over repeats (plus the minimum); not a test.
//   npx tsx bench/llama-cpp/llama-cpp.bench.ts [--types q4_0,f32] [--threads 1,2] [--repeats 5]
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { getLlama, type LlamaContextSequence, type LlamaModel, type Token } from "node-llama-cpp";
import { createRng } from "../../src/weights/prng.js";
import { cachedMidModel, MID_SHAPE, type WeightType } from "./make-model.js";

const { values } = parseArgs({
  options: {
    types: { type: "string", default: "q4_0,f32" },
    threads: { type: "string", default: "1,2" },
    repeats: { type: "string", default: "5" },
    prompt: { type: "string", default: "256" },
    decode: { type: "string", default: "64" },
    long: { type: "boolean", default: true },
    flash: { type: "string", default: "auto" },
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

interface Run {
  /** ms from the call to the first sampled token. */
  firstToken: number;
  /** ms per further token, averaged over `decodeLen` greedy steps. */
  perToken: number;
}

/** Evaluates `input` and greedily takes `decodeLen` more tokens; each yield is one llama_decode. */
async function generate(seq: LlamaContextSequence, input: Token[]): Promise<Run> {
  const t0 = performance.now();
  let t1 = t0;
  let n = 0;
  for await (const _ of seq.evaluate(input, { temperature: 0 })) {
    if (n === 0) t1 = performance.now();
    if (n++ === decodeLen) break;
  }
  return { firstToken: t1 - t0, perToken: (performance.now() - t1) / decodeLen };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => `${median(xs).toFixed(1)} (min ${Math.min(...xs).toFixed(1)})`;

async function benchContext(model: LlamaModel, threads: number): Promise<string[]> {
  const context = await model.createContext({ contextSize: CONTEXT, threads, flashAttention });
  try {
    const seq = context.getSequence();
    const prompt = randomTokens(promptLen, 7);
    const prefill: number[] = [];
    const decode: number[] = [];
    // One unrecorded run first: it pages the mmapped weights in and warms the thread pool.
    for (let r = -1; r < repeats; r++) {
      await seq.clearHistory();
      const run = await generate(seq, prompt);
      if (r < 0) continue;
      prefill.push(run.firstToken);
      decode.push(run.perToken);
    }
    const long: number[] = [];
    if (values.long) {
      // Fill once, then each repeat drops the generated tail and decodes from the same point.
      const fill = randomTokens(longStart, 11);
      await seq.clearHistory();
      await seq.evaluateWithoutGeneratingNewTokens(fill.slice(0, -1));
      for (let r = -1; r < repeats; r++) {
        await seq.eraseContextTokenRanges([{ start: longStart - 1, end: seq.nextTokenIndex }]);
        const run = await generate(seq, fill.slice(-1));
        // Every step here is a decode; the first just also evaluates the last fill token.
        if (r >= 0) long.push((run.firstToken + run.perToken * decodeLen) / (decodeLen + 1));
      }
    }
    const tokPerS = (promptLen / median(prefill)) * 1000;
    return [
      String(threads),
      `${fmt(prefill)} = ${tokPerS.toFixed(0)} tok/s`,
      fmt(decode),
      values.long ? fmt(long) : "-",
    ];
  } finally {
    await context.dispose();
  }
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
  console.log(line(rows[0]!));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows.slice(1)) console.log(line(r));
}

const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" as never });
console.log(`node-llama-cpp prebuilt ${llama.buildType}, llama.cpp ${llama.llamaCppRelease.release}`);
console.log(`CPU: ${llama.cpuMathCores} math cores; ${llama.systemInfo.trim()}`);
console.log(
  `mid shape: hidden ${MID_SHAPE.hidden}, ${MID_SHAPE.layers} layers, ${MID_SHAPE.heads}/${MID_SHAPE.kvHeads} heads of ` +
    `${MID_SHAPE.headDim}, FFN ${MID_SHAPE.ffn}, vocab ${MID_SHAPE.vocab}; context ${CONTEXT}, flash attention ${values.flash}`,
);
console.log(`ms: median of ${repeats} (min); prompt ${promptLen} tokens, ${decodeLen} greedy decode steps\n`);

const rows = [
  [
    "weights",
    "threads",
    `first token, ${promptLen}-token prompt (ms)`,
    `decode @${promptLen} (ms/tok)`,
    `decode @${longStart} (ms/tok)`,
  ],
];
for (const type of values.types.split(",") as WeightType[]) {
  const model = await llama.loadModel({ modelPath: await cachedMidModel(type) });
  for (const threads of values.threads.split(",").map(Number)) {
    const load = loadavg()[0]!.toFixed(1);
    rows.push([`${type} (load ${load})`, ...(await benchContext(model, threads))]);
  }
  await model.dispose();
}
printTable(rows);
