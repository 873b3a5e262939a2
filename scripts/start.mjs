#!/usr/bin/env node
// `npm start`: the whole system on this machine. Starts the gpu-runner with the trained model
// (models/mmgpt-shapes, copied into the state directory where its graphs are built on first run;
// without it, the seeded tiny model is generated), then the edge under `wrangler dev`
// with local D1/R2/Durable Object persistence in .mmgpt/ (MMGPT_STATE_DIR), creates a development API key and
// prints how to call it. Ctrl-C stops both. Ports: MMGPT_EDGE_PORT (8787), MMGPT_RUNNER_PORT (8788).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Local state (dev secrets, the tiny model, wrangler's D1/R2/DO data); tests point it elsewhere.
const state = process.env.MMGPT_STATE_DIR ?? join(root, ".mmgpt");
const edgePort = Number(process.env.MMGPT_EDGE_PORT ?? 8787);
const runnerPort = Number(process.env.MMGPT_RUNNER_PORT ?? 8788);
const host = "127.0.0.1";
const quiet = {
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
};
const children = [];
let stopping = false;

// wrangler's own entry, run with this node: no npx/npm wrappers between us and its processes.
const wrangler = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
const say = (msg) => process.stdout.write(`[mmgpt] ${msg}\n`);

/** Dev secrets persist across restarts so local data (API keys in D1) stays valid. */
function devSecrets() {
  const file = join(state, "dev-secrets.json");
  if (existsSync(file)) {
    const s = JSON.parse(readFileSync(file, "utf8"));
    if (s.WEBHOOK_SECRET_KEY) return s;
    // A state directory from before the webhook key had its own secret: its endpoints were
    // sealed with the admin token, which stays readable as the previous key.
    s.WEBHOOK_SECRET_KEY = randomBytes(24).toString("base64url");
    s.WEBHOOK_SECRET_KEY_PREVIOUS = s.ADMIN_TOKEN;
    writeFileSync(file, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
    return s;
  }
  const s = {
    RUNNER_SECRET: randomBytes(24).toString("base64url"),
    ADMIN_TOKEN: randomBytes(24).toString("base64url"),
    WEBHOOK_SECRET_KEY: randomBytes(24).toString("base64url"),
  };
  writeFileSync(file, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  return s;
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

function run(name, cmd, args, env, onLine) {
  // Own process group: wrangler starts workerd (and esbuild) below it, and stopping must
  // reach all of them, not only the direct child.
  const child = spawn(cmd, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  children.push(child);
  for (const stream of [child.stdout, child.stderr]) {
    let buf = "";
    stream.on("data", (d) => {
      buf += d;
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
  }
  child.on("exit", (code) => {
    if (!stopping) {
      say(`${name} exited (code ${code}); stopping`);
      stop(1);
    }
  });
  return child;
}

async function waitFor(url, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await fetch(url).catch(() => null);
    if (r?.ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s`);
}

/** Signals a child's whole process group (it was spawned detached, as a group leader). */
function signal(child, sig) {
  try {
    process.kill(-child.pid, sig);
  } catch {
    // Already gone.
  }
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) signal(c, "SIGTERM");
  const force = setTimeout(() => {
    for (const c of children) signal(c, "SIGKILL");
    process.exit(code);
  }, 8000);
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on("exit", r)) : null))).then(() => {
    clearTimeout(force);
    process.exit(code);
  });
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

/**
 * The trained model (models/mmgpt-shapes) when the checkout has it: copied into the state
 * directory, because the runner builds its graphs beside the weights, and copied again whenever
 * the committed one changes (its manifest differs). Otherwise the tiny model, generated there.
 */
function defaultModelDir() {
  const shipped = join(root, "models", "mmgpt-shapes");
  if (!existsSync(join(shipped, "manifest.json"))) return join(state, "models", "mmgpt-tiny");
  const dir = join(state, "models", "mmgpt-shapes");
  const manifest = (d) =>
    existsSync(join(d, "manifest.json")) ? readFileSync(join(d, "manifest.json"), "utf8") : null;
  if (manifest(dir) !== manifest(shipped)) {
    say(`copying the trained model to ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    cpSync(shipped, dir, { recursive: true });
  }
  return dir;
}

async function main() {
  mkdirSync(state, { recursive: true });
  for (const [port, what, env] of [
    [runnerPort, "runner", "MMGPT_RUNNER_PORT"],
    [edgePort, "edge", "MMGPT_EDGE_PORT"],
  ]) {
    if (!(await portFree(port))) {
      say(`port ${port} (${what}) is already in use: stop what holds it, or set ${env} to another port`);
      process.exit(1);
    }
  }
  const secrets = devSecrets();
  const modelDir = process.env.MMGPT_MODEL_DIR ?? defaultModelDir();
  say(`starting the runner on ${host}:${runnerPort} (model: ${modelDir})`);
  const runner = run(
    "runner",
    process.execPath,
    ["--import", "tsx", "apps/gpu-runner/src/server/main.ts"],
    {
      RUNNER_SECRET: secrets.RUNNER_SECRET,
      MMGPT_PORT: String(runnerPort),
      MMGPT_HOST: host,
      MMGPT_MODEL_DIR: modelDir,
    },
    (line) => {
      try {
        const l = JSON.parse(line);
        if (l.msg !== "generate") say(`runner: ${l.msg}${l.error ? ` (${l.error})` : ""}`);
      } catch {
        say(`runner: ${line}`);
      }
    },
  );
  await waitFor(`http://${host}:${runnerPort}/readyz`, "the runner", 10 * 60_000);
  say(`runner ready (pid ${runner.pid})`); // the e2e tests freeze it by this pid

  say("building the playground page (apps/playground)");
  const page = spawnSync("npm", ["run", "build", "-w", "@mmgpt/playground"], { cwd: root, encoding: "utf8" });
  if (page.status !== 0) throw new Error(`building the playground failed:\n${page.stdout}\n${page.stderr}`);

  const persist = join(state, "wrangler");
  say("applying D1 migrations (local)");
  const mig = spawnSync(
    process.execPath,
    [wrangler, "d1", "migrations", "apply", "mmgpt", "--local", "--persist-to", persist],
    {
      cwd: root,
      env: { ...process.env, ...quiet, CI: "true" },
      encoding: "utf8",
    },
  );
  if (mig.status !== 0) throw new Error(`D1 migrations failed:\n${mig.stdout}\n${mig.stderr}`);

  say(`starting the edge (wrangler dev) on ${host}:${edgePort}`);
  const vars = {
    RUNNER_URLS: `http://${host}:${runnerPort}`,
    RUNNER_SECRET: secrets.RUNNER_SECRET,
    ADMIN_TOKEN: secrets.ADMIN_TOKEN,
    WEBHOOK_SECRET_KEY: secrets.WEBHOOK_SECRET_KEY,
    ...(secrets.WEBHOOK_SECRET_KEY_PREVIOUS
      ? { WEBHOOK_SECRET_KEY_PREVIOUS: secrets.WEBHOOK_SECRET_KEY_PREVIOUS }
      : {}),
    WEBHOOKS_ALLOW_LOOPBACK: "true", // local dev only: webhooks may target http://127.0.0.1
    CORS_ORIGINS: "*", // local dev only: pages on any origin may call the API
    // Passed through when set (the e2e tests shorten the stall limit to freeze the runner).
    ...(process.env.RUNNER_STALL_MS ? { RUNNER_STALL_MS: process.env.RUNNER_STALL_MS } : {}),
  };
  run(
    "edge",
    process.execPath,
    [
      wrangler,
      "dev",
      "--ip",
      host,
      "--port",
      String(edgePort),
      "--persist-to",
      persist,
      "--show-interactive-dev-session=false",
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    quiet,
    (line) => {
      if (/error|warn/i.test(line)) say(`edge: ${line}`);
    },
  );
  const base = `http://${host}:${edgePort}`;
  await waitFor(`${base}/healthz`, "the edge", 120_000);

  const res = await fetch(`${base}/v1/admin/api_keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${secrets.ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ account_id: "dev", name: `npm start ${new Date().toISOString()}` }),
  });
  if (!res.ok) throw new Error(`creating the development API key failed: ${res.status} ${await res.text()}`);
  const { key } = await res.json();
  // The example asks about a shapes-world picture (scripts/example.png), the world the shipped
  // model was trained on; the request is written to a file so the printed command stays short.
  const model = JSON.parse(readFileSync(join(modelDir, "config.json"), "utf8")).name;
  const png = readFileSync(join(root, "scripts", "example.png")).toString("base64");
  const exampleFile = join(state, "example-request.json");
  writeFileSync(
    exampleFile,
    `${JSON.stringify({
      model,
      max_tokens: 64,
      messages: [
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
            { type: "text", text: "Describe the image in detail." },
          ],
        },
      ],
    })}\n`,
  );
  const body = JSON.stringify({ model, messages: [{ role: "user", content: "What is 7 plus 5?" }] });
  process.stdout.write(`
mmgpt is running (Ctrl-C stops everything).

MMGPT_BASE_URL=${base}/v1
MMGPT_API_KEY=${key}

Try it (model ${model}):
  curl ${base}/v1/chat/completions \\
    -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\
    -d '${body}'
  # with a picture (scripts/example.png: a red circle, a blue square, a yellow triangle):
  curl ${base}/v1/chat/completions \\
    -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\
    -d @${exampleFile}

Playground: ${base}/
API reference: ${base}/docs   (OpenAPI: ${base}/openapi.json)
Admin token (dev only): ${secrets.ADMIN_TOKEN}
`);
}

main().catch((e) => {
  say(String(e.message ?? e));
  stop(1);
});
