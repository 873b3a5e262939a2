#!/usr/bin/env node
// Builds the page into dist/: app.js (src/main.ts + the SDK, bundled and minified by esbuild),
// app.css, index.html and playground.html (the same page, so the edge serves `/` and
// `/playground`). No CDN, no runtime dependencies: dist/ works offline. Prints the sizes.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const OUTPUTS = ["index.html", "playground.html", "app.js", "app.css"];
// dist/.assetsignore is committed (force-added; dist/ is ignored) so the directory exists on a
// fresh clone: wrangler refuses an [assets] directory that does not exist. Only outputs go.
mkdirSync(dist, { recursive: true });
for (const file of OUTPUTS) rmSync(join(dist, file), { force: true });

const common = { bundle: true, minify: true, legalComments: "none", logLevel: "warning" };
await build({
  ...common,
  entryPoints: [join(here, "src/main.ts")],
  outfile: join(dist, "app.js"),
  format: "esm",
  platform: "browser",
  target: ["es2022", "chrome110", "firefox115", "safari16"],
  // The SDK from source: the page builds on a fresh clone without building the SDK first.
  alias: { "@mmgpt/sdk": join(here, "../../packages/sdk/src/index.ts") },
});
await build({ ...common, entryPoints: [join(here, "src/app.css")], outfile: join(dist, "app.css") });
copyFileSync(join(here, "src/index.html"), join(dist, "index.html"));
copyFileSync(join(here, "src/index.html"), join(dist, "playground.html"));

let raw = 0;
let gz = 0;
for (const file of ["index.html", "app.js", "app.css"]) {
  const bytes = readFileSync(join(dist, file));
  raw += bytes.length;
  gz += gzipSync(bytes, { level: 9 }).length;
}
process.stdout.write(`playground: dist/ built (index.html + app.js + app.css: ${raw} B, ${gz} B gzip)\n`);
