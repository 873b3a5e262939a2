// Production bundle of the runner service (the Docker image runs dist/main.js with plain
// node): everything is bundled except onnxruntime-node, whose native binaries ship in its package.
import { defineConfig } from "tsup";

export default defineConfig({
  // The service thread (engine-host/service-thread.ts) starts dist/engine-thread-main.js beside dist/main.js.
  entry: { main: "src/server/main.ts", "engine-thread-main": "src/engine-host/engine-thread-main.ts" },
  format: ["esm"],
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  splitting: false,
  sourcemap: true,
  external: ["onnxruntime-node"],
  noExternal: [/^(?!onnxruntime-node)/],
  // Bundled CommonJS dependencies may call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
