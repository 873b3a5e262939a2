// Image preprocessing time inside workerd (wrangler dev, loopback) for 640x480, 1920x1080 and
// 4000x3000 baseline JPEGs of photographic-noise content: median request time minus the median
// of an empty request carrying the same bytes. Prints medians and p90s.
//   npm run edge-preprocess -w @mmgpt/bench -- [--repeats 15] [--out f.json]
import { spawn } from "node:child_process";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp"; // only used to make test JPEGs
import { fixed as f, newResult, REPO_ROOT as root, writeResult } from "../lib/results.js";
import { quantile } from "../lib/stats.js";

const { values } = parseArgs({ options: { repeats: { type: "string", default: "15" }, out: { type: "string" } } });
const N = Number(values.repeats);
const port = await new Promise<number>((r) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const { port: p } = s.address() as AddressInfo;
    s.close(() => r(p));
  });
});
const child = spawn(
  process.execPath,
  [
    join(root, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    "-c",
    "bench/edge/wrangler.bench.toml",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--show-interactive-dev-session=false",
  ],
  {
    cwd: root,
    env: {
      ...process.env,
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_SEND_ERROR_REPORTS: "false",
    },
    stdio: "ignore",
    detached: true,
  },
);
const base = `http://127.0.0.1:${port}`;
const result = newResult(
  "edge-preprocess",
  "Image preprocessing inside workerd",
  `The edge's image pipeline alone (sniff, header limits, decode, EXIF, Pillow-compatible resize + crop, hash) in a worker under \`wrangler dev\` on loopback, for baseline JPEGs of photographic noise: median request time minus the median of an empty request carrying the same bytes, ${N} interleaved rounds. No goals: figures.`,
);
try {
  for (let i = 0; i < 240 && !(await fetch(`${base}/noop`, { method: "POST" }).catch(() => null))?.ok; i++)
    await new Promise((r) => setTimeout(r, 250));
  const stats = (xs: number[]) => ({ median: quantile(xs, 0.5), p90: quantile(xs, 0.9) });
  for (const [w, h] of [
    [640, 480],
    [1920, 1080],
    [4000, 3000],
  ]) {
    const jpeg = await sharp({
      // `background` is ignored with `noise`; sharp's types ask for it anyway.
      create: {
        width: w,
        height: h,
        channels: 3,
        background: "#000",
        noise: { type: "gaussian", mean: 128, sigma: 40 },
      },
    })
      .jpeg({ quality: 85 })
      .toBuffer();
    const body = new Uint8Array(jpeg);
    const time = async (path: string) => {
      const t = performance.now();
      const r = await fetch(`${base}${path}`, { method: "POST", body });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      await r.text();
      return performance.now() - t;
    };
    await time("/");
    const full = [];
    const noop = [];
    for (let i = 0; i < N; i++) {
      full.push(await time("/"));
      noop.push(await time("/noop"));
    }
    const a = stats(full);
    const b = stats(noop);
    console.log(
      `${`${w}x${h}`.padEnd(10)} ${f(jpeg.length / 1024, 0).padStart(5)} KiB  preprocess ≈ ${f(a.median - b.median, 1)} ms median (request ${f(a.median, 1)} ms, p90 ${f(a.p90, 1)}; empty request ${f(b.median, 1)} ms)`,
    );
    result.cases.push({
      name: `${w}x${h} (${f(jpeg.length / 1024, 0)} KiB)`,
      figures: {
        preprocess: `${f(a.median - b.median, 1)} ms`,
        request: `${f(a.median, 1)} ms (p90 ${f(a.p90, 1)})`,
        "empty request": `${f(b.median, 1)} ms`,
      },
      goals: [],
    });
  }
  writeResult(result, values.out);
} finally {
  process.kill(-child.pid!, "SIGTERM");
}
