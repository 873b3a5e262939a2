// What one linear layer costs per row of a decode batch (prints figures; not a test). The
// runner's 8-stream goal needs a step over 8 rows to cost ≤ 2× a step over one; this measures
// the kernels that dominate a step, alone, at the shape of the mid configs' MLP (1024 → 2816):
//   int4  MatMulNBits as the graphs use it (block 128, accuracy_level 4: int8 compute)
//   fp32  MatMul on a prepacked constant weight
// Each graph holds 16 such layers (distinct weights, so they stream from memory as in a model).
//   npm run matmul-rows -w @mmgpt/bench -- [--threads 2] [--rows 1,2,4,8,16] [--out f.json]
import { parseArgs } from "node:util";
import * as ort from "onnxruntime-node";
import { INT4_BLOCK, quantizeInt4 } from "../../apps/gpu-runner/src/model/graphs/quantize.js";
import { bytesOf, DT, GraphBuilder, MS_DOMAIN } from "../../apps/gpu-runner/src/onnx/graph-builder.js";
import { fixed as f, newResult, writeResult } from "../lib/results.js";
import { median } from "../lib/stats.js";

const { values } = parseArgs({
  options: {
    threads: { type: "string", default: "2" },
    rows: { type: "string", default: "1,2,4,8,16" },
    out: { type: "string" },
  },
});
const K = 1024;
const N = 2816;
const LAYERS = 16;
const ROUNDS = 5;
const RUNS = 15;
const rowsList = values.rows!.split(",").map(Number);

function graph(precision: "int4" | "fp32"): Uint8Array {
  // Every initializer stays inside the model bytes (no external data file).
  const inMemory = {
    append: (): never => {
      throw new Error("unreachable: no external data");
    },
  };
  const g = new GraphBuilder("rows", inMemory, Number.MAX_SAFE_INTEGER);
  const x = g.input("x", DT.FLOAT, ["M", K]);
  for (let l = 0; l < LAYERS; l++) {
    const w = Float32Array.from({ length: N * K }, (_, i) => Math.sin(i * 0.37 + l) * 0.05);
    let y: string;
    if (precision === "int4") {
      const { blob, scales, blockSize } = quantizeInt4(w, N, K, INT4_BLOCK);
      const blocks = K / blockSize;
      const b = g.initializer(`w${l}`, DT.UINT8, [N, blocks, blockSize / 2], blob);
      const s = g.initializer(`s${l}`, DT.FLOAT, [N * blocks], bytesOf(scales));
      y = g.op(
        "MatMulNBits",
        [x, b, s],
        `/l${l}`,
        { K, N, bits: 4, block_size: blockSize, accuracy_level: 4 },
        MS_DOMAIN,
      );
    } else {
      // [K, N] layout: the runner's fp32 graphs feed MatMul the transposed checkpoint weight.
      const wt = new Float32Array(K * N);
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) wt[k * N + n] = w[n * K + k];
      y = g.op("MatMul", [x, g.initializer(`w${l}`, DT.FLOAT, [K, N], bytesOf(wt))], `/l${l}`);
    }
    // Every layer is an output, so none is pruned.
    g.output(y, DT.FLOAT, ["M", N]);
  }
  return g.toBytes();
}

const sessions = {
  int4: await ort.InferenceSession.create(graph("int4"), {
    intraOpNumThreads: Number(values.threads),
    interOpNumThreads: 1,
  }),
  fp32: await ort.InferenceSession.create(graph("fp32"), {
    intraOpNumThreads: Number(values.threads),
    interOpNumThreads: 1,
  }),
};
const perLayer: Record<string, number[]> = {};
// Rounds alternate kernels and row counts: this machine's speed drifts within a minute.
for (let round = 0; round < ROUNDS; round++)
  for (const [name, s] of Object.entries(sessions))
    for (const M of rowsList) {
      const x = new ort.Tensor(
        "float32",
        Float32Array.from({ length: M * K }, (_, i) => Math.cos(i)),
        [M, K],
      );
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await s.run({ x });
        times.push(performance.now() - t);
      }
      const key = `${name} ${M}`;
      perLayer[key] = [...(perLayer[key] ?? []), (median(times) / LAYERS) * 1000];
    }

const result = newResult(
  "matmul-rows",
  "One linear layer per row of a decode batch",
  `One ${K}→${N} layer (the mid configs' MLP), ${values.threads} thread(s), median µs over ${ROUNDS} rounds of ${RUNS} runs of a graph of ${LAYERS} such layers: int4 MatMulNBits (block ${INT4_BLOCK}, accuracy_level 4) and fp32 MatMul. What a step over 8 rows can cost relative to one bounds the runner's 8-stream goal. No goals: figures.`,
);
console.log(`one ${K}→${N} layer, threads ${values.threads}, median µs over ${ROUNDS} rounds`);
for (const name of Object.keys(sessions)) {
  const one = median(perLayer[`${name} 1`]);
  const figures: Record<string, string> = {};
  for (const M of rowsList) {
    const us = median(perLayer[`${name} ${M}`]);
    figures[`${M} rows`] = `${f(us, 0)} µs (${f(us / one)}× one row, ${f((M * one) / us)}× the rows/s)`;
  }
  result.cases.push({ name, figures, goals: [] });
  console.log(
    `${name}: ${Object.entries(figures)
      .map(([k, v]) => `${k} ${v}`)
      .join("; ")}`,
  );
}
writeResult(result, values.out);
