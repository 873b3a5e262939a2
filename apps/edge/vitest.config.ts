// Vitest runs every edge test inside workerd through @cloudflare/vitest-pool-workers (0.15 API:
// the `cloudflareTest` Vite plugin). The wrangler config below is test-only; when the real
// worker's wrangler.toml exists, point `configPath` at it and keep the test entry as `main`.
import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  // Root is the monorepo: npm hoists node_modules there, and the pool resolves module-rule
  // imports (`.wasm`, test vectors) as root-relative paths, which breaks for files above root.
  root: fileURLToPath(new URL("../..", import.meta.url)),
  plugins: [
    cloudflareTest({
      wrangler: { configPath: `${here}test/wrangler.test.toml` },
    }),
  ],
  test: {
    dir: here,
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
