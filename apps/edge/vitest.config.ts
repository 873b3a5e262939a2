// Vitest runs every edge test inside workerd through @cloudflare/vitest-pool-workers (0.15 API:
// the `cloudflareTest` Vite plugin), with the bindings of the ROOT wrangler.toml and its `main`
// (apps/edge/src/index.ts, so the Durable Object classes are the real ones). Tests add the
// secrets, the D1 migrations (applied by test/setup/migrations.ts) and the test-vector rules.
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Offline and quiet in CI: no cf.json download, no telemetry.
for (const name of ["CLOUDFLARE_CF_FETCH_ENABLED", "WRANGLER_SEND_METRICS", "WRANGLER_SEND_ERROR_REPORTS"]) {
  process.env[name] ??= "false";
}

const here = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));

// The root wrangler.toml serves the playground build as static assets, and the pool refuses a
// config whose assets directory is missing (a clean checkout has no build). The edge tests never
// read assets, so an empty directory is enough.
const assets = `${root}apps/playground/dist`;
if (!existsSync(assets)) mkdirSync(assets, { recursive: true });

export default defineConfig(async () => ({
  // Root is the monorepo: npm hoists node_modules there, and the pool resolves module-rule
  // imports (`.wasm`, test vectors) as root-relative paths, which breaks for files above root.
  root,
  plugins: [
    cloudflareTest({
      wrangler: { configPath: `${root}wrangler.toml` },
      miniflare: {
        bindings: {
          RUNNER_SECRET: "test-runner-secret",
          ADMIN_TOKEN: "test-admin-token-0123456789abcdef",
          WEBHOOK_SECRET_KEY: "test-webhook-secret-key-0123456789",
          // Fake runners answer through the injected fetch (test/helpers/fake-runner.ts).
          RUNNER_URLS: "http://runner-a.test",
          TEST_MIGRATIONS: await readD1Migrations(`${here}migrations`),
        },
        // Test vectors are committed binary files; tests import them as ArrayBuffers.
        modulesRules: [
          {
            type: "Data",
            include: ["**/*.bin", "**/*.rgb", "**/*.jpg", "**/*.png", "**/*.webp", "**/*.gif"],
            fallthrough: false,
          },
        ],
      },
    }),
  ],
  test: {
    // One workerd runtime for all files instead of one per file: 30 s instead of ~110 s on
    // 2 CPUs. Tests do not rely on a clean runtime: each uses its own API keys and accounts.
    isolate: false,
    dir: here,
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    setupFiles: [`${here}test/setup/migrations.ts`],
  },
}));
