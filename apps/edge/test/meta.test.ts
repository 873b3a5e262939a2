// Health, models, the OpenAPI document and the docs page.
import openapi from "@mmgpt/schema/openapi.json";
import { describe, expect, it } from "vitest";
import { Edge } from "./helpers/edge";
import { FakeRunners } from "./helpers/fake-runner";

describe("meta endpoints", () => {
  it("healthz answers without a key and without runners", async () => {
    const edge = new Edge();
    edge.runners.get().up = false;
    const res = await edge.fetch("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok" });
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("serves the committed OpenAPI document and an interactive docs page that needs no network", async () => {
    const edge = new Edge();
    expect(await (await edge.fetch("/openapi.json")).json()).toEqual(openapi);
    const docs = await (await edge.fetch("/docs")).text();
    expect(docs).toContain("/v1/chat/completions");
    expect(docs).toContain('href="/openapi.json"');
    expect(docs).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
    expect(docs).toContain('<form class="try" data-method="POST" data-path="/v1/chat/completions">');
  });

  it("lists exactly the runner's models, asking it once a minute, or MODELS when set", async () => {
    // A runner of its own: the model list is remembered per runner list, and other tests' runners
    // serve mmgpt-tiny only.
    const url = "http://runner-models.test";
    const edge = new Edge({ runners: new FakeRunners([url]), env: { MODELS: "" } });
    const { key } = await edge.newKey();
    const runner = edge.runners.get(url);
    runner.models = ["mmgpt-9b", "mmgpt-9b-sketch"];
    const model = (id: string) => ({ id, object: "model", created: 1_767_225_600, owned_by: "mmgpt" });
    for (let i = 0; i < 2; i++) {
      const res = await edge.fetch("/v1/models", { key });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ object: "list", data: [model("mmgpt-9b"), model("mmgpt-9b-sketch")] });
    }
    expect(runner.calls.filter((c) => c.path === "/internal/v1/models")).toHaveLength(1);

    const configured = new Edge({ env: { MODELS: "a, b" } });
    const list = (await (await configured.fetch("/v1/models", { key })).json()) as { data: { id: string }[] };
    expect(list.data.map((m) => m.id)).toEqual(["a", "b"]);
  });

  it("answers GET /v1/models/{id} for a served model, and 404 model_not_found otherwise", async () => {
    const edge = new Edge({ env: { MODELS: "mmgpt-tiny, mmgpt-9b" } });
    const { key } = await edge.newKey();
    const res = await edge.fetch("/v1/models/mmgpt-9b", { key });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "mmgpt-9b", object: "model", created: 1_767_225_600, owned_by: "mmgpt" });
    const missing = await edge.fetch("/v1/models/gpt-4o", { key });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: { type: "invalid_request_error", code: "model_not_found", param: "model" },
    });
    expect((await edge.fetch("/v1/models/mmgpt-9b")).status).toBe(401);
  });
});
