// Renders docs/benchmarks.md from the results of the last run of each benchmark
// (bench/results/*.json): the page is generated, never edited by hand.
//   npm run report -w @mmgpt/bench
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderReport } from "./lib/render.js";
import { type BenchResult, REPO_ROOT, RESULTS_DIR } from "./lib/results.js";

const results = readdirSync(RESULTS_DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(join(RESULTS_DIR, f), "utf8")) as BenchResult);
const out = join(REPO_ROOT, "docs", "benchmarks.md");
mkdirSync(join(out, ".."), { recursive: true });
writeFileSync(out, renderReport(results));
console.log(`${out}: ${results.length} benchmark(s)`);
