// One stack for the browser tests (the same `npm start` as test/e2e), started only when
// Chromium is installed. Without it the tests skip and this says why — except in CI (CI set),
// where a skipped suite would pass for nothing: there the run fails.
import { existsSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { type Stack, startProvidedStack } from "../e2e/stack.js";

export const CHROMIUM = process.env.MMGPT_CHROMIUM ?? "/usr/bin/chromium";
let stack: Stack | null = null;

/** CI=true (GitHub Actions and most CI services set it; .ci/run does). */
export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI !== undefined && !["", "0", "false"].includes(env.CI.toLowerCase());
}

export async function setup(project: TestProject): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    if (inCI()) {
      throw new Error(
        `[playground] no Chromium at ${CHROMIUM}, and CI must not skip the browser tests: install it ` +
          "(apt-get install -y chromium) or set MMGPT_CHROMIUM.",
      );
    }
    process.stdout.write(
      `\n[playground] SKIPPED: no Chromium at ${CHROMIUM}. Install it (apt-get install -y chromium) ` +
        "or set MMGPT_CHROMIUM to run the browser tests.\n\n",
    );
    for (const key of ["chromium", "baseURL", "apiKey", "adminToken"] as const) project.provide(key, "");
    return;
  }
  stack = await startProvidedStack(project);
  project.provide("chromium", CHROMIUM);
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The Chromium executable, or "" when the browser tests are skipped. */
    chromium: string;
  }
}
