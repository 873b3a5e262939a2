// The runner as a real process: configuration errors at start, a fresh model directory
// generated and built on first start, readiness, and graceful shutdown that lets an
// in-flight generation finish while refusing new work.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, statSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from "@mmgpt/schema/internal";
import { afterAll, describe, expect, it } from "vitest";
import { writeManifest } from "../src/convert/manifest.js";
import { MMGPT_TINY } from "../src/model/presets.js";
import { generateTinyWeights } from "../src/weights/generate-tiny.js";
import { TEST_TENANT, tinyModel } from "./tiny-model.js";
import { waitFor } from "./wait-for.js";

const SECRET = "process-test-secret-0123";
const children: ChildProcess[] = [];

function start(env: Record<string, string>, preload: string[] = []) {
  const imports = ["tsx", ...preload].flatMap((m) => ["--import", m]);
  const child = spawn(process.execPath, [...imports, "src/server/main.ts"], {
    cwd: join(import.meta.dirname, ".."),
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exit = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, exit, output: () => out };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
});

/** Polls /readyz until it answers `status` (the runner loading or draining is the event). */
const readyz = (base: string, status: number) =>
  waitFor(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === status, 20);

describe("runner process", () => {
  it("refuses to start on bad configuration, naming each variable", async () => {
    const p = start({ RUNNER_SECRET: "short", MMGPT_EXECUTION_PROVIDER: "tpu", MMGPT_MAX_BATCH: "zero" });
    expect(await p.exit).toBe(2);
    expect(p.output()).toMatch(/RUNNER_SECRET/);
    expect(p.output()).toMatch(/MMGPT_EXECUTION_PROVIDER="tpu": expected one of cpu, cuda/);
    expect(p.output()).toMatch(/MMGPT_MAX_BATCH/);
  });

  it("refuses a model directory whose weights no longer match its manifest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mmgpt-manifest-"));
    generateTinyWeights(MMGPT_TINY, dir, { seed: 5 });
    writeManifest(dir);
    const file = join(dir, "weights", "model.safetensors");
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.from([0x5a]), 0, 1, statSync(file).size - 10);
    closeSync(fd);
    const p = start({ RUNNER_SECRET: SECRET, MMGPT_PORT: String(await freePort()), MMGPT_MODEL_DIR: dir });
    expect(await p.exit).toBe(1);
    expect(p.output()).toMatch(/model\.safetensors/);
  }, 60_000);

  it("generates and builds the tiny model on first start, serves, and drains on SIGTERM", async () => {
    const port = await freePort();
    const dir = join(mkdtempSync(join(tmpdir(), "mmgpt-proc-")), "model");
    const p = start({ RUNNER_SECRET: SECRET, MMGPT_PORT: String(port), MMGPT_MODEL_DIR: dir, MMGPT_THREADS: "1" });
    const base = `http://127.0.0.1:${port}`;
    await readyz(base, 200);
    const headers = {
      authorization: `Bearer ${SECRET}`,
      [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
      "content-type": "application/json",
    };
    const req = (max_tokens: number, id: string) => ({
      request_id: id,
      model: "mmgpt-tiny",
      tenant: TEST_TENANT,
      turns: [{ role: "user", text: "Say something long." }],
      params: { max_tokens, temperature: 0, top_p: 1, top_k: 0, num_beams: 1, repetition_penalty: 1, stop: [] },
      stream: true,
    });
    const res = await fetch(`${base}/internal/v1/generate`, {
      method: "POST",
      headers,
      body: JSON.stringify(req(400, "long")),
    });
    const reader = res.body!.getReader();
    await reader.read();
    p.child.kill("SIGTERM");
    // Draining has begun once readiness turns 503; the generate route must refuse from then on.
    await readyz(base, 503);
    const refused = await fetch(`${base}/internal/v1/generate`, {
      method: "POST",
      headers,
      body: JSON.stringify(req(5, "late")),
    });
    expect(refused.status).toBe(503);
    let text = "";
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    const last = JSON.parse(text.trim().split("\n").at(-1)!);
    expect(last.type).toBe("done");
    expect(await p.exit).toBe(0);
    // Logs are JSON lines with request ids and no prompt text by default.
    const logs = p
      .output()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const gen = logs.find((l) => l.msg === "generate" && l.request_id === "long");
    expect(gen).toBeDefined();
    expect(JSON.stringify(logs)).not.toContain("Say something long.");
  }, 60_000);

  it("exits when the engine thread crashes (a restart is the only way back)", async () => {
    const port = await freePort();
    const p = start(
      { RUNNER_SECRET: SECRET, MMGPT_PORT: String(port), MMGPT_MODEL_DIR: tinyModel(41).dir, MMGPT_THREADS: "1" },
      ["./test/fixtures/crash-engine-thread-on-sigusr2.ts"],
    );
    const base = `http://127.0.0.1:${port}`;
    await readyz(base, 200);
    // A call to the engine thread, so the preload has seen its worker.
    expect(
      (
        await fetch(`${base}/metrics`, {
          headers: { authorization: `Bearer ${SECRET}`, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
        })
      ).status,
    ).toBe(200);
    p.child.kill("SIGUSR2");
    expect(await p.exit).toBe(1);
    expect(p.output()).toMatch(/"msg":"engine failed; exiting".*the engine thread failed/);
  }, 60_000);
});
