// Edge overhead per chat request: the same non-streamed generate answered by a trivial runner
// (Node, loopback) called directly vs through the edge (auth, rate limit, validation, runner
// call, response mapping). The edge runs twice, side by side in one run:
//   miniflare    — the worker bundle (wrangler's build) in workerd through Miniflare, bindings
//                  from wrangler.toml: the runtime as deployed, without dev tooling in the path;
//   wrangler dev — the same through `wrangler dev`, whose proxy worker adds a hop of its own.
// Prints medians and p90s; goal ≤ 5 ms median through Miniflare (the deployed runtime).
//   npm run edge-overhead -w @mmgpt/bench -- [--requests 300] [--hosts miniflare,wrangler] [--out f.json]

import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from "@mmgpt/schema/internal";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { fixed as f, goal, newResult, REPO_ROOT as root, writeResult } from "../lib/results.js";
import { quantile } from "../lib/stats.js";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "300" },
    hosts: { type: "string", default: "miniflare,wrangler" },
    out: { type: "string" },
  },
});
const N = Number(values.requests);
const HOSTS = values.hosts!.split(",") as ("miniflare" | "wrangler")[];
const SECRET = "bench-runner-secret";
const ADMIN = "bench-admin-token-0123456789abcdef";
const wranglerBin = join(root, "node_modules/wrangler/bin/wrangler.js");
const quiet = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
};

const done = {
  type: "done",
  finish_reason: "stop",
  text: "Hello world",
  usage: { prompt_tokens: 10, completion_tokens: 2, cached_tokens: 0 },
  prompt: "…",
};

function startRunner(): Promise<Server> {
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

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitFor(url: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await fetch(url).catch(() => null))?.ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready`);
}

function run(cmd: string, args: string[]): Promise<void> {
  const child = spawn(cmd, args, { cwd: root, env: quiet, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => {
    err += d;
  });
  return new Promise((resolve, reject) =>
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(" ")}: ${err}`)))),
  );
}

type Call = [label: string, call: () => Promise<unknown>];

/**
 * Runs the calls interleaved, one of each per round, so every figure sees the same machine
 * state (this box's timing drifts by tens of percent over a minute); prints and returns the
 * median and p90 of each.
 */
async function measureInterleaved(calls: Call[]): Promise<{ label: string; median: number; p90: number }[]> {
  for (let i = 0; i < 20; i++) for (const [, call] of calls) await call(); // warm up (isolate, D1, DO)
  const samples: number[][] = calls.map(() => []);
  for (let i = 0; i < N; i++) {
    for (const [k, [, call]] of calls.entries()) {
      const t0 = performance.now();
      await call();
      samples[k].push(performance.now() - t0);
    }
  }
  return calls.map(([label], k) => {
    const [median, p90] = [quantile(samples[k], 0.5), quantile(samples[k], 0.9)];
    console.log(`  ${label.padEnd(30)} median ${f(median)} ms  p90 ${f(p90)} ms  (n=${N})`);
    return { label, median, p90 };
  });
}

const vars = (runnerUrl: string) => ({
  RUNNER_URLS: runnerUrl,
  RUNNER_SECRET: SECRET,
  ADMIN_TOKEN: ADMIN,
  WEBHOOK_SECRET_KEY: `${ADMIN}-webhooks`,
  RATE_LIMIT_BURST: "1000000",
  RATE_LIMIT_PER_MINUTE: "100000000",
  MODELS: "mmgpt-tiny",
});

/** The worker as wrangler bundles it for deploy, in Miniflare with wrangler.toml's bindings. */
async function startMiniflare(runnerUrl: string) {
  const out = mkdtempSync(join(tmpdir(), "mmgpt-bench-bundle-"));
  await run(process.execPath, [wranglerBin, "deploy", "--dry-run", "--outdir", out]);
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(root, "wrangler.toml"));
  const { assets: _assets, ...options } = workerOptions as typeof workerOptions & { assets?: unknown }; // the API only: assets never see /v1
  const mf = new Miniflare({
    // On disk like wrangler dev's local state (D1, Durable Objects, R2), not in memory.
    defaultPersistRoot: mkdtempSync(join(tmpdir(), "mmgpt-bench-state-")),
    host: "127.0.0.1",
    port: await freePort(),
    workers: [
      {
        ...options,
        name: "mmgpt-edge",
        modules: true,
        scriptPath: join(out, "index.js"),
        modulesRoot: out,
        bindings: { ...(options.bindings as Record<string, unknown>), ...vars(runnerUrl) },
      },
    ],
  });
  const url = await mf.ready;
  const db = await mf.getD1Database("DB");
  const migrations = join(root, "apps/edge/migrations");
  for (const file of readdirSync(migrations).sort()) {
    const sql = readFileSync(join(migrations, file), "utf8");
    await db.exec(sql.replace(/--.*$/gm, "").replace(/\s*\n\s*/g, " "));
  }
  return { base: url.href.replace(/\/$/, ""), stop: () => mf.dispose() };
}

async function startWranglerDev(runnerUrl: string) {
  const persist = mkdtempSync(join(tmpdir(), "mmgpt-bench-"));
  await run(process.execPath, [wranglerBin, "d1", "migrations", "apply", "mmgpt", "--local", "--persist-to", persist]);
  const port = await freePort();
  const edge = spawn(
    process.execPath,
    [
      wranglerBin,
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      persist,
      "--show-interactive-dev-session=false",
      ...Object.entries(vars(runnerUrl)).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    { cwd: root, env: quiet, stdio: "ignore", detached: true },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/healthz`);
  return { base, stop: async () => void process.kill(-edge.pid!, "SIGTERM") };
}

const runner = await startRunner();
const runnerUrl = `http://127.0.0.1:${(runner.address() as AddressInfo).port}`;
const generate = JSON.stringify({
  request_id: "req_bench",
  model: "mmgpt-tiny",
  turns: [{ role: "user", text: "Hi" }],
  params: { max_tokens: 8, temperature: 0, top_p: 1, top_k: 0, num_beams: 1, repetition_penalty: 1, stop: [] },
  stream: false,
});
const chat = JSON.stringify({ model: "mmgpt-tiny", messages: [{ role: "user", content: "Hi" }], max_tokens: 8 });
const result = newResult(
  "edge-overhead",
  "Edge overhead per chat request",
  `A non-streamed chat request through the edge minus the same generate sent to the runner directly (a trivial Node runner on loopback), ${N} interleaved rounds, medians. Miniflare: the worker bundle \`wrangler deploy\` builds, in workerd with the bindings of wrangler.toml and state on disk (the runtime as deployed). wrangler dev: the same under \`wrangler dev\`, whose dev proxy adds a hop of its own; it carries no goal.`,
);
try {
  for (const host of HOSTS) {
    const edge: { base: string; stop: () => Promise<unknown> } =
      host === "miniflare" ? await startMiniflare(runnerUrl) : await startWranglerDev(runnerUrl);
    console.log(host === "miniflare" ? "Miniflare (deploy bundle, no dev proxy):" : "wrangler dev:");
    try {
      const { base } = edge;
      const issued = await fetch(`${base}/v1/admin/api_keys`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
        body: JSON.stringify({ account_id: "acct_bench", name: "bench" }),
      }).then((r) => r.json());
      const rows = await measureInterleaved([
        [
          "runner directly",
          async () => {
            const r = await fetch(`${runnerUrl}/internal/v1/generate`, {
              method: "POST",
              headers: {
                authorization: `Bearer ${SECRET}`,
                [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
                "content-type": "application/json",
              },
              body: generate,
            });
            await r.json();
          },
        ],
        // Breakdown: the bare worker (no auth), then auth + rate limit (no runner call).
        ["edge /healthz (no auth)", async () => (await fetch(`${base}/healthz`)).json()],
        [
          "edge /v1/models (auth+limit)",
          async () => (await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${issued.key}` } })).json(),
        ],
        [
          "chat through the edge",
          async () => {
            const r = await fetch(`${base}/v1/chat/completions`, {
              method: "POST",
              headers: { authorization: `Bearer ${issued.key}`, "content-type": "application/json" },
              body: chat,
            });
            if (r.status !== 200) throw new Error(`edge answered ${r.status}: ${await r.text()}`);
            await r.json();
          },
        ],
      ]);
      const overhead = rows[3].median - rows[0].median;
      console.log(`  ${"edge overhead (median)".padEnd(30)} ${f(overhead)} ms`);
      result.cases.push({
        name: host === "miniflare" ? "Miniflare (deploy bundle)" : "wrangler dev",
        figures: Object.fromEntries(rows.map((r) => [r.label, `${f(r.median)} ms (p90 ${f(r.p90)})`])),
        goals:
          host === "miniflare"
            ? [
                goal(
                  "edge overhead per chat request (median)",
                  overhead,
                  "<=",
                  5,
                  " ms",
                  `${f(overhead)} ms (chat ${f(rows[3].median)} − runner ${f(rows[0].median)} ms)`,
                ),
              ]
            : [],
      });
    } finally {
      await edge.stop();
    }
  }
  writeResult(result, values.out);
} finally {
  runner.close();
}
