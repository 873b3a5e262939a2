#!/usr/bin/env node
// Edge overhead per chat request: the same non-streamed generate answered by a trivial runner
// (Node, loopback) called directly vs through the edge under `wrangler dev` (auth, rate limit,
// validation, runner call, response mapping). Prints medians and p90s; goal ≤ 5 ms median.
// Usage (repository root): node apps/edge/bench/overhead.mjs [requests=300]
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

const N = Number(process.argv[2] ?? 300);
const SECRET = "bench-runner-secret";
const ADMIN = "bench-admin-token-0123456789abcdef";
const root = join(import.meta.dirname, "..", "..", "..");

const done = {
  type: "done",
  finish_reason: "stop",
  text: "Hello world",
  usage: { prompt_tokens: 10, completion_tokens: 2, cached_tokens: 0 },
  prompt: "…",
};

function startRunner() {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      if (req.headers.authorization !== `Bearer ${SECRET}`) return res.writeHead(401).end();
      if (req.url === "/internal/v1/models") {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ models: [{ id: "mmgpt-tiny", context_length: 2048, vision: true }] }));
      }
      JSON.parse(body);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(done));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function waitFor(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await fetch(url).catch(() => null))?.ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready`);
}

async function measure(label, call) {
  for (let i = 0; i < 20; i++) await call(); // warm up (isolate, D1, DO)
  const ms = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await call();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const pick = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
  console.log(`${label.padEnd(28)} median ${pick(0.5).toFixed(2)} ms  p90 ${pick(0.9).toFixed(2)} ms  (n=${N})`);
  return pick(0.5);
}

const runner = await startRunner();
const runnerUrl = `http://127.0.0.1:${runner.address().port}`;
const edgePort = await freePort();
const env = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
};
const vars = {
  RUNNER_URLS: runnerUrl,
  RUNNER_SECRET: SECRET,
  ADMIN_TOKEN: ADMIN,
  RATE_LIMIT_BURST: "1000000",
  RATE_LIMIT_PER_MINUTE: "100000000",
  MODELS: "mmgpt-tiny",
};
const persist = mkdtempSync(join(tmpdir(), "mmgpt-bench-"));
const migrate = spawn("npx", ["wrangler", "d1", "migrations", "apply", "mmgpt", "--local", "--persist-to", persist], {
  cwd: root,
  env,
  stdio: "ignore",
});
await new Promise((r) => migrate.on("exit", r));
const edge = spawn(
  "npx",
  [
    "wrangler",
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(edgePort),
    "--persist-to",
    persist,
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ],
  { cwd: root, env, stdio: "ignore", detached: true },
);
try {
  const base = `http://127.0.0.1:${edgePort}`;
  await waitFor(`${base}/healthz`);
  const issued = await fetch(`${base}/v1/admin/api_keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ account_id: "acct_bench", name: "bench" }),
  }).then((r) => r.json());
  const generate = JSON.stringify({
    request_id: "req_bench",
    model: "mmgpt-tiny",
    turns: [{ role: "user", text: "Hi" }],
    params: { max_tokens: 8, temperature: 0, top_p: 1, top_k: 0, num_beams: 1, repetition_penalty: 1, stop: [] },
    stream: false,
  });
  const chat = JSON.stringify({ model: "mmgpt-tiny", messages: [{ role: "user", content: "Hi" }], max_tokens: 8 });
  const direct = await measure("runner directly", async () => {
    const r = await fetch(`${runnerUrl}/internal/v1/generate`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}`, "x-mmgpt-protocol": "1", "content-type": "application/json" },
      body: generate,
    });
    await r.json();
  });
  // Breakdown: the bare worker (no auth), then auth + rate limit (no runner call).
  await measure("edge /healthz (no auth)", async () => (await fetch(`${base}/healthz`)).json());
  await measure("edge /v1/models (auth+limit)", async () =>
    (await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${issued.key}` } })).json(),
  );
  const viaEdge = await measure("through the edge", async () => {
    const r = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${issued.key}`, "content-type": "application/json" },
      body: chat,
    });
    if (r.status !== 200) throw new Error(`edge answered ${r.status}: ${await r.text()}`);
    await r.json();
  });
  console.log(
    `edge overhead (median)       ${(viaEdge - direct).toFixed(2)} ms  (goal ≤ 5 ms, wrangler dev on loopback)`,
  );
} finally {
  process.kill(-edge.pid, "SIGTERM");
  runner.close();
}
