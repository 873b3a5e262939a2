// Runner settings from vars: the list of base URLs (RUNNER_URLS, comma-separated) and the
// header timeout. Parsed per request: vars are tiny and this keeps config changes instant.
import type { Bindings } from "../env";

export const DEFAULT_RUNNER_TIMEOUT_MS = 120_000;

export function runnerUrls(env: Bindings): string[] {
  const urls = (env.RUNNER_URLS ?? "")
    .split(",")
    .map((u) => u.trim().replace(/\/+$/, ""))
    .filter(Boolean);
  for (const url of urls) {
    if (!/^https?:\/\/[^/]+/.test(url)) throw new Error(`RUNNER_URLS: "${url}" is not an http(s) URL`);
  }
  return urls;
}

export function runnerTimeoutMs(env: Bindings): number {
  const n = Number(env.RUNNER_TIMEOUT_MS);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_RUNNER_TIMEOUT_MS;
}
