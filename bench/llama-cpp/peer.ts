// node-llama-cpp, installed only when the llama.cpp benchmark runs: its prebuilt binaries for
// every GPU backend (~700 MB of CUDA and Vulkan builds) have no place in the repository's
// `npm ci` or the runner's Docker build. It goes into a cache directory of its own, CPU build
// only, once per version; the bench imports it from there through the narrow API below.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** The version the figures in docs/benchmarks.md were measured with. */
export const NODE_LLAMA_CPP_VERSION = "3.22.1";

/** Where peers are installed: $MMGPT_BENCH_CACHE, else ~/.cache/mmgpt-bench. */
const cacheRoot = () => process.env.MMGPT_BENCH_CACHE ?? join(homedir(), ".cache", "mmgpt-bench");

export type Token = number & { __token?: never };

/** The part of node-llama-cpp's API the bench uses (its own types are not installed here). */
export interface LlamaContextSequence {
  readonly nextTokenIndex: number;
  evaluate(tokens: Token[], options: { temperature: number }): AsyncIterable<Token>;
  evaluateWithoutGeneratingNewTokens(tokens: Token[]): Promise<void>;
  eraseContextTokenRanges(ranges: { start: number; end: number }[]): Promise<void>;
  clearHistory(): Promise<void>;
}

export interface LlamaContext {
  getSequence(): LlamaContextSequence;
  dispose(): Promise<void>;
}

export interface LlamaModel {
  createContext(options: {
    contextSize: number;
    threads: number;
    flashAttention: boolean | "auto";
  }): Promise<LlamaContext>;
  dispose(): Promise<void>;
}

export interface Llama {
  readonly buildType: string;
  readonly llamaCppRelease: { release: string };
  readonly cpuMathCores: number;
  readonly systemInfo: string;
  loadModel(options: { modelPath: string }): Promise<LlamaModel>;
}

interface NodeLlamaCpp {
  getLlama(options: { gpu: false; build: "never"; logLevel: unknown }): Promise<Llama>;
  LlamaLogLevel: { error: unknown };
}

/** Installs node-llama-cpp (CPU build) into the cache unless it is there, and loads it. */
export async function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  const dir = join(cacheRoot(), `node-llama-cpp-${NODE_LLAMA_CPP_VERSION}`);
  const manifest = join(dir, "package.json");
  if (!existsSync(join(dir, "node_modules", "node-llama-cpp", "package.json"))) {
    mkdirSync(dir, { recursive: true });
    // The CPU build for this platform only; the GPU builds are optional dependencies, left out.
    const cpu = `@node-llama-cpp/${process.platform}-${process.arch}`;
    const deps = { "node-llama-cpp": NODE_LLAMA_CPP_VERSION, [cpu]: NODE_LLAMA_CPP_VERSION };
    writeFileSync(manifest, `${JSON.stringify({ private: true, dependencies: deps }, null, 2)}\n`);
    console.log(`installing node-llama-cpp ${NODE_LLAMA_CPP_VERSION} (${cpu}) into ${dir} …`);
    // Its install script would build llama.cpp from source when no prebuilt binary fits; the
    // bench only uses the prebuilt one (getLlama build: "never").
    execFileSync("npm", ["install", "--omit=optional", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: dir,
      stdio: "inherit",
    });
  }
  const entry = createRequire(manifest).resolve("node-llama-cpp");
  return (await import(pathToFileURL(entry).href)) as NodeLlamaCpp;
}
