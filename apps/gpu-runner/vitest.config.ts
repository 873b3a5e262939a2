import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Model tests build and run ONNX graphs; on a busy 2-core CI machine a few take seconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    exclude: ["**/node_modules/**", "scratch/**", "dist/**"],
  },
});
