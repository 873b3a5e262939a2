import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Parity tests build ONNX graphs and run PyTorch in a child process.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    exclude: ["**/node_modules/**", "runs/**", "data/**"],
  },
});
