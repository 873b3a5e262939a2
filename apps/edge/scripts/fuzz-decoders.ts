// `npm run fuzz -w @mmgpt/edge -- --seconds 60 --seed 1 [--budget-mb 112]`: the decoder fuzz
// (test/fuzz/decoder-fuzz.ts) in Node for as long as asked, printing per-format figures: cases,
// outcomes, crashes (non-ImageError: a 5xx), and the largest measured decode against the budget.
// Seeds: the Pillow vectors plus generated progressive/4:4:4 JPEGs and an animated GIF. Exits 1
// on any crash or decode past the budget. Runs the edge's code under the .wasm import hooks
// the training tools use (their decoders are the same).
import { readdirSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { MAX_DECODE_BYTES } from "../src/images/limits";
import { formatFigures, fuzzDecoders } from "../test/fuzz/decoder-fuzz";
import { generatedSeeds, mergeSeeds, seedsByFormat } from "../test/fuzz/seeds";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    seed: { type: "string", default: "1" },
    "budget-mb": { type: "string", default: String(MAX_DECODE_BYTES / 1024 / 1024) },
  },
});
const seconds = Number(values.seconds);
const seed = Number(values.seed);
const budget = Number(values["budget-mb"]) * 1024 * 1024;
if (!(seconds > 0) || !Number.isInteger(seed) || !(budget > 0)) {
  console.error("usage: fuzz --seconds <n> --seed <integer> [--budget-mb <n>]");
  process.exit(2);
}

const dir = new URL("../test/vectors/images/", import.meta.url);
const vectors = Object.fromEntries(
  readdirSync(dir).map((name) => [name, new Uint8Array(readFileSync(new URL(name, dir)))]),
);
const seeds = mergeSeeds(seedsByFormat(vectors), await generatedSeeds());
// omggif reports short LZW streams with console.log; the figures count them as outcomes.
const log = console.log;
console.log = () => {};
const started = Date.now();
const onSlowCase = (format: string, ms: number, outcome: string) =>
  process.stderr.write(`slow case: ${format} ${ms} ms (${outcome})\n`);
const figures = await fuzzDecoders({ seeds, seconds, seed, limits: { maxDecodeBytes: budget }, onSlowCase });
console.log = log;
const seedCounts = Object.entries(seeds).map(([f, s]) => `${f} ${s.length}`);
console.log(
  `decoder fuzz: seed ${seed}, ${((Date.now() - started) / 1000).toFixed(1)} s, seeds: ${seedCounts.join(", ")}`,
);
console.log(formatFigures(figures));
const bad = Object.values(figures).some((f) => f.crashes > 0 || f.overBudget > 0);
process.exit(bad ? 1 : 0);
