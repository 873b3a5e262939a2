// Unit tests of the page's pure parts (prompt, parameters, error text), with the SDK from
// source as the bundle uses it; the browser tests are in test/playground.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@mmgpt/sdk": fileURLToPath(new URL("../../packages/sdk/src/index.ts", import.meta.url)) } },
  test: { include: ["src/**/*.test.ts"] },
});
