// Browser tests of the playground page: playwright-core drives Debian's Chromium against the
// real local stack (npm start). Without /usr/bin/chromium they are skipped, with the reason printed.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/playground/**/*.test.ts"],
    globalSetup: ["test/playground/global-setup.ts"],
    testTimeout: 90_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
