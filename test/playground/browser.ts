// Launches Debian's Chromium through playwright-core (headless, no sandbox, fresh profile) and
// gives the tests a page plus a screenshot helper writing to test-artifacts/playground/.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const ARTIFACTS = join(import.meta.dirname, "..", "..", "test-artifacts", "playground");

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Desktop pages fit the window (their transcript scrolls inside), so the window is enough. */
  screenshot(name: string, page?: Page, fullPage?: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function openBrowser(executablePath: string): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "mmgpt-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 860 },
    colorScheme: "light",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    screenshot: async (name, on = page, fullPage = false) => {
      await on.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
