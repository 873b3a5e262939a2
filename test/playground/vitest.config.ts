// Browser tests of the playground page: playwright-core drives Debian's Chromium against the
// real local stack (npm start). Without /usr/bin/chromium they are skipped, with the reason printed
// (with CI set they fail instead: global-setup.ts).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/playground/**/*.test.ts"],
    globalSetup: ["test/playground/global-setup.ts"],
    testTimeout: 90_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    // expect.poll waits on something the page or the server does; its timeout only bounds a
    // failure, and 1 s (the default) is too short for a reply to start on a loaded 2-core machine.
    expect: { poll: { timeout: 30_000 } },
  },
});
