// One stack for the whole e2e run; tests get its coordinates through `inject`.
import type { TestProject } from "vitest/node";
import { type Stack, startStack } from "./stack.js";

let stack: Stack | null = null;

export async function setup(project: TestProject): Promise<void> {
  stack = await startStack();
  project.provide("baseURL", stack.baseURL);
  project.provide("apiKey", stack.apiKey);
  project.provide("adminToken", stack.adminToken);
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    baseURL: string;
    apiKey: string;
    adminToken: string;
  }
}
