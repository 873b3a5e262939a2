// One stack for the browser tests (the same `npm start` as test/e2e), started only when
// Chromium is installed; otherwise the tests skip and this says why.
import { existsSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { type Stack, startProvidedStack } from "../e2e/stack.js";

export const CHROMIUM = process.env.MMGPT_CHROMIUM ?? "/usr/bin/chromium";
let stack: Stack | null = null;

export async function setup(project: TestProject): Promise<void> {
  if (!existsSync(CHROMIUM)) {
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
