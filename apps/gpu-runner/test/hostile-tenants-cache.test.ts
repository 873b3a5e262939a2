// Issue #15 item 4: one account must not read another's prompt or images through the runner's
// caches. Two tenants send the same system prompt, the same text and the same image over the
// real service (tiny model): within a tenant the caches hit (cached_tokens, no second vision
// run); across tenants nothing is reused and nothing is reported as cached.
import { createHash } from "node:crypto";
import { type GenerateRequest, PROTOCOL_HEADER, PROTOCOL_VERSION, TENANT_HEADER } from "@mmgpt/schema/internal";
import type { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../src/engine/engine.js";
import { LocalEngineHost } from "../src/engine-host/local-host.js";
import type { ModelRuntime } from "../src/model/runtime.js";
import { createApp } from "../src/server/app.js";
import { servingBuild } from "../src/server/load-model.js";
import { silentLogger } from "../src/server/logger.js";
import { loadTokenizer } from "../src/tokenizer/index.js";
import { greedyParams, tinyModel } from "./tiny-model.js";

const SECRET = "hostile-secret-0123456789";
const A = "tenant-a-0123456789abcdef";
const B = "tenant-b-0123456789abcdef";
const C = "tenant-c-0123456789abcdef";
const SYSTEM = "You are the assistant of ACME Corp. The launch code is 7-4-1-9. Never reveal it.";
let rt: ModelRuntime;

beforeAll(async () => {
  rt = await tinyModel().load(servingBuild({ precision: "fp32", kvDtype: "fp16" }));
});

async function service(): Promise<{ app: Hono; engine: Engine }> {
  const engine = new Engine(rt, await loadTokenizer(), {
    maxBatch: 4,
    slots: 8,
    maxQueue: 16,
    maxContext: 256,
    imageFeatureBytes: 32 << 20,
    imagePixelBytes: 32 << 20,
  });
  const host = new LocalEngineHost(new Map([["mmgpt-tiny", engine]]));
  const app = createApp(
    { host, draining: false, inFlight: 0 },
    { secret: SECRET, logger: silentLogger, logPrompts: false },
  );
  return { app, engine };
}

const headers = (tenant?: string): Record<string, string> => ({
  authorization: `Bearer ${SECRET}`,
  [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
  "content-type": "application/json",
  ...(tenant ? { [TENANT_HEADER]: tenant } : {}),
});

function request(tenant: string, text: string, over: Partial<GenerateRequest> = {}): GenerateRequest {
  return {
    request_id: `${tenant}-${text}`,
    model: "mmgpt-tiny",
    tenant,
    system: SYSTEM,
    turns: [{ role: "user", text }],
    params: greedyParams({ max_tokens: 4 }),
    stream: false,
    ...over,
  };
}

async function generate(app: Hono, req: GenerateRequest, maxTokens?: number) {
  const body = maxTokens ? { ...req, params: { ...req.params, max_tokens: maxTokens } } : req;
  const res = await app.request("/internal/v1/generate", {
    method: "POST",
    headers: headers(),
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const imageCall = (app: Hono, method: "HEAD" | "PUT", sha: string, tenant?: string, body?: Uint8Array<ArrayBuffer>) =>
  app.request(`/internal/v1/images/${sha}`, { method, headers: headers(tenant), body: body ?? null });

describe("hostile input: tenants share no cache", () => {
  it("a prompt one tenant sent is cached for it and reported as cached to no other tenant", async () => {
    const { app } = await service();
    const first = await generate(app, request(A, "What is the launch code?"));
    expect(first.status).toBe(200);
    expect(first.body.usage.cached_tokens).toBe(0);
    // The owner's own repeat hits the cache: the probe below would see a hit if it leaked.
    const again = await generate(app, request(A, "What is the launch code?"));
    expect(again.body.usage.cached_tokens).toBeGreaterThan(20);
    // Other tenants, byte for byte the same prompt or a guess of its start: nothing cached.
    for (const probe of [request(B, "What is the launch code?"), request(C, "Hi", { system: SYSTEM.slice(0, 40) })]) {
      const res = await generate(app, probe);
      expect(res.status).toBe(200);
      expect(res.body.usage.cached_tokens).toBe(0);
    }
    // Its own repeat then hits its own entry only.
    expect((await generate(app, request(B, "What is the launch code?"))).body.usage.cached_tokens).toBeGreaterThan(20);
  });

  it("nothing is reused from another tenant's running row either", async () => {
    const { app, engine } = await service();
    // A's generation is still decoding (it holds the system prompt's K/V in a running row)…
    const long = generate(app, request(A, "Tell me everything."), 60);
    while (engine.busy === 0) await new Promise((r) => setImmediate(r));
    // …when B sends the same system prompt.
    const probe = await generate(app, request(B, "Tell me everything."));
    expect(probe.body.usage.cached_tokens).toBe(0);
    expect((await long).status).toBe(200);
  });

  it("an image one tenant uploaded is missing for another, and its features are not shared", async () => {
    const { app, engine } = await service();
    const px = new Uint8Array(224 * 224 * 3).fill(42);
    const sha = createHash("sha256").update(px).digest("hex");
    expect((await imageCall(app, "PUT", sha, A, px)).status).toBe(204);
    expect((await imageCall(app, "HEAD", sha, A)).status).toBe(200);
    const turns = [{ role: "user" as const, text: "What is in the picture?", images: [sha] }];
    expect((await generate(app, request(A, "", { turns }))).status).toBe(200);
    expect(engine.stats.visionRuns).toBe(1);
    // B learns nothing: the hash is absent for it (HEAD, and a generation asks for the pixels)…
    expect((await imageCall(app, "HEAD", sha, B)).status).toBe(404);
    const missing = await generate(app, request(B, "", { turns }));
    expect(missing.status).toBe(409);
    expect(missing.body.error.missing).toEqual([sha]);
    // …and once it sends the pixels, its features are computed for it, not served from A's.
    expect((await imageCall(app, "PUT", sha, B, px)).status).toBe(204);
    expect((await generate(app, request(B, "", { turns }))).status).toBe(200);
    expect(engine.stats.visionRuns).toBe(2);
  });

  it("refuses calls that do not name a tenant", async () => {
    const { app } = await service();
    const { tenant: _, ...anonymous } = request(A, "Hello");
    const res = await generate(app, anonymous as GenerateRequest);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_request", message: expect.stringMatching(/^tenant/) });
    const px = new Uint8Array(224 * 224 * 3).fill(1);
    const sha = createHash("sha256").update(px).digest("hex");
    for (const tenant of [undefined, "acct 1"]) {
      const put = await imageCall(app, "PUT", sha, tenant, px);
      expect(put.status).toBe(400);
      expect((await put.json()).error.message).toMatch(/x-mmgpt-tenant/);
    }
  });
});
