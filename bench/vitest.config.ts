import { defineConfig } from "vitest/config";

// Only the helpers' tests: the benchmarks themselves are scripts that print figures.
export default defineConfig({ test: { include: ["lib/**/*.test.ts"] } });
