// One stack for the whole e2e run; tests get its coordinates through `inject`.
import type { TestProject } from "vitest/node";
import { type Stack, startProvidedStack } from "./stack.js";

let stack: Stack | null = null;

export async function setup(project: TestProject): Promise<void> {
  stack = await startProvidedStack(project);
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}
