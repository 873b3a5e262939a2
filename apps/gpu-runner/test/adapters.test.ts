// Several LoRA adapters on one base, selected per request through `model` (MMGPT_ADAPTERS):
// each adapter serves exactly what a model directory with that adapter in lora/ would.
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from "@mmgpt/schema/internal";
import { describe, expect, it } from "vitest";
import { writeManifest } from "../src/convert/manifest.js";
import { LocalEngineHost } from "../src/engine-host/local-host.js";
import { ThreadEngineHost } from "../src/engine-host/service-thread.js";
import { MMGPT_TINY } from "../src/model/presets.js";
import { type AppState, createApp } from "../src/server/app.js";
import { loadConfig } from "../src/server/config.js";
import { loadEngines } from "../src/server/load-model.js";
import { silentLogger } from "../src/server/logger.js";
import { generateTinyWeights } from "../src/weights/generate-tiny.js";
import { greedyParams, TEST_TENANT } from "./tiny-model.js";

const SECRET = "adapter-test-secret-0123";

describe("per-request LoRA adapters", () => {
  it("serves the base and an extra adapter side by side, each equal to a model built with it", async () => {
    const root = mkdtempSync(join(tmpdir(), "mmgpt-adapters-"));
    const base = join(root, "base");
    generateTinyWeights(MMGPT_TINY, base, { seed: 21 });
    writeManifest(base);
    // Another adapter for the same base (what `mmgpt convert --lora-only` writes).
    const other = join(root, "other");
    generateTinyWeights(MMGPT_TINY, other, { seed: 22 });
    const adapter = join(root, "adapter-alt");
    mkdirSync(adapter);
    copyFileSync(join(other, "lora", "adapter.safetensors"), join(adapter, "adapter.safetensors"));
    writeManifest(adapter);
    // The reference: the base weights with that adapter as its own lora/.
    const merged = join(root, "merged");
    generateTinyWeights(MMGPT_TINY, merged, { seed: 21 });
    copyFileSync(join(adapter, "adapter.safetensors"), join(merged, "lora", "adapter.safetensors"));

    const env = { RUNNER_SECRET: SECRET, MMGPT_THREADS: "1", MMGPT_MAX_CONTEXT: "256" };
    const cfg = loadConfig({ ...env, MMGPT_MODEL_DIR: base, MMGPT_ADAPTERS: `mmgpt-tiny-alt=${adapter}` });
    // As the runner process serves them: on the engine thread.
    const host = await ThreadEngineHost.start(cfg);
    expect(host.models).toEqual(["mmgpt-tiny", "mmgpt-tiny-alt"]);
    const state: AppState = { host, draining: false, inFlight: 0 };
    const app = createApp(state, { secret: SECRET, logger: silentLogger, logPrompts: false });
    const headers = {
      authorization: `Bearer ${SECRET}`,
      [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
      "content-type": "application/json",
    };
    const ask = async (a: typeof app, model: string) => {
      const body = {
        request_id: model,
        model,
        tenant: TEST_TENANT,
        turns: [{ role: "user", text: "Name three colors." }],
        params: greedyParams({ max_tokens: 10 }),
        stream: false,
      };
      const res = await a.request("/internal/v1/generate", { method: "POST", headers, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    };

    const models = await (await app.request("/internal/v1/models", { headers })).json();
    expect(models.models.map((m: { id: string }) => m.id)).toEqual(["mmgpt-tiny", "mmgpt-tiny-alt"]);
    const a = await ask(app, "mmgpt-tiny");
    const b = await ask(app, "mmgpt-tiny-alt");
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.text).not.toBe(a.body.text);
    expect((await ask(app, "mmgpt-tiny-nope")).status).toBe(404);

    const refCfg = loadConfig({ ...env, MMGPT_MODEL_DIR: merged });
    const [[, refEngine]] = [...(await loadEngines(refCfg, silentLogger))];
    const refApp = createApp(
      { host: new LocalEngineHost(new Map([["mmgpt-tiny", refEngine]])), draining: false, inFlight: 0 },
      { secret: SECRET, logger: silentLogger, logPrompts: false },
    );
    expect((await ask(refApp, "mmgpt-tiny")).body.text).toBe(b.body.text);
    await host.close();
  });

  it("rejects a malformed MMGPT_ADAPTERS by name", () => {
    expect(() => loadConfig({ RUNNER_SECRET: SECRET, MMGPT_ADAPTERS: "just-a-dir" })).toThrow(
      /MMGPT_ADAPTERS: "just-a-dir" is not id=dir/,
    );
  });
});
