// Health, models, the OpenAPI document and the docs page.
import openapi from "@mmgpt/schema/openapi.json";
import { describe, expect, it } from "vitest";
import { Edge } from "./helpers/edge";

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

  it("lists models from the runner, or from MODELS when set", async () => {
    const edge = new Edge({ env: { MODELS: "" } });
    const { key } = await edge.newKey();
    edge.runners.get().models = ["mmgpt-tiny", "mmgpt-9b"];
    const res = await edge.fetch("/v1/models", { key });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { id: string; object: string }[] };
    expect(body.data.map((m) => m.id)).toContain("mmgpt-tiny");
    const configured = new Edge({ env: { MODELS: "a, b" } });
    const list = (await (await configured.fetch("/v1/models", { key })).json()) as { data: { id: string }[] };
    expect(list.data.map((m) => m.id)).toEqual(["a", "b"]);
  });
});
