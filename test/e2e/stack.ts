// Starts the real local stack exactly as `npm start` does (scripts/start.mjs), on free ports
// and a temporary state directory, and reads the MMGPT_BASE_URL / MMGPT_API_KEY lines it prints.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

export interface Stack {
  baseURL: string;
  apiKey: string;
  adminToken: string;
  /** The runner's process (one Node process: its engine thread included). */
  runnerPid: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** `env`: more variables for `npm start` (e.g. RUNNER_STALL_MS, passed on to the edge). */
export async function startStack(timeoutMs = 240_000, env: Record<string, string> = {}): Promise<Stack> {
  const root = join(import.meta.dirname, "..", "..");
  const state = mkdtempSync(join(tmpdir(), "mmgpt-e2e-"));
  const childEnv = {
    ...process.env,
    ...env,
    MMGPT_STATE_DIR: state,
    // Tests run the seeded tiny model (fast, and its id is what they assert), not the trained
    // model `npm start` serves by default; a caller (npm run eval) may name another directory.
    MMGPT_MODEL_DIR: process.env.MMGPT_MODEL_DIR ?? join(state, "models", "mmgpt-tiny"),
    MMGPT_EDGE_PORT: String(await freePort()),
    MMGPT_RUNNER_PORT: String(await freePort()),
  };
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: root,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  // Ready when the banner's last line (the admin token) has arrived whole.
  const ready = new Promise<void>((resolve, reject) => {
    const take = (d: Buffer) => {
      out += d;
      if (/Admin token \(dev only\): \S+\n/.test(out)) resolve();
    };
    child.stdout!.on("data", take);
    child.stderr!.on("data", take);
    exited.then(() => reject(new Error(`npm start exited early:\n${out}`)));
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`npm start did not print its banner in time:\n${out}`)), timeoutMs);
  });
  try {
    await Promise.race([ready, late]);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const line = (k: string) => new RegExp(`^${k}=(\\S+)$`, "m").exec(out)![1];
  return {
    baseURL: line("MMGPT_BASE_URL"),
    apiKey: line("MMGPT_API_KEY"),
    adminToken: /Admin token \(dev only\): (\S+)/.exec(out)![1],
    runnerPid: Number(/runner ready \(pid (\d+)\)/.exec(out)![1]),
    child,
    output: () => out,
    stop: async () => {
      child.kill("SIGINT");
      await exited;
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** Starts the stack and hands its coordinates to the tests (`inject("baseURL")`, …). */
export async function startProvidedStack(project: TestProject): Promise<Stack> {
  const stack = await startStack();
  project.provide("baseURL", stack.baseURL);
  project.provide("apiKey", stack.apiKey);
  project.provide("adminToken", stack.adminToken);
  return stack;
}

declare module "vitest" {
  export interface ProvidedContext {
    baseURL: string;
    apiKey: string;
    adminToken: string;
  }
}
