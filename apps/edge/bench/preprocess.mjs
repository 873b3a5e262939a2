// Image preprocessing time inside workerd (wrangler dev, loopback) for 640x480, 1920x1080 and
// 4000x3000 baseline JPEGs of photographic-noise content: median request time minus the median
// of an empty request carrying the same bytes. Prints medians and p90s.
// Usage (repository root): node apps/edge/bench/preprocess.mjs [repeats=15]
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import sharp from "sharp"; // in the tree through wrangler/miniflare; only used to make test JPEGs

const root = join(import.meta.dirname, "..", "..", "..");
const N = Number(process.argv[2] ?? 15);
const port = await new Promise((r) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const { port: p } = s.address();
    s.close(() => r(p));
  });
});
const child = spawn(
  process.execPath,
  [
    join(root, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    "-c",
    "apps/edge/bench/wrangler.bench.toml",
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
try {
  for (let i = 0; i < 240 && !(await fetch(`${base}/noop`, { method: "POST" }).catch(() => null))?.ok; i++)
    await new Promise((r) => setTimeout(r, 250));
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return { median: s[Math.floor(s.length / 2)], p90: s[Math.floor(s.length * 0.9)] };
  };
  for (const [w, h] of [
    [640, 480],
    [1920, 1080],
    [4000, 3000],
  ]) {
    const jpeg = await sharp({
      create: { width: w, height: h, channels: 3, noise: { type: "gaussian", mean: 128, sigma: 40 } },
    })
      .jpeg({ quality: 85 })
      .toBuffer();
    const time = async (path) => {
      const t = performance.now();
      const r = await fetch(`${base}${path}`, { method: "POST", body: jpeg });
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
      `${`${w}x${h}`.padEnd(10)} ${(jpeg.length / 1024).toFixed(0).padStart(5)} KiB  preprocess ≈ ${(a.median - b.median).toFixed(1)} ms median (request ${a.median.toFixed(1)} ms, p90 ${a.p90.toFixed(1)}; empty request ${b.median.toFixed(1)} ms)`,
    );
  }
} finally {
  process.kill(-child.pid, "SIGTERM");
}
