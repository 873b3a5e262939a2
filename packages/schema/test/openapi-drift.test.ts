// The committed openapi.json must be exactly what the route definitions generate.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { serializeOpenApiDocument } from "../src/openapi";

describe("openapi.json", () => {
  it("matches the route definitions (else run `npm run gen`)", () => {
    const committed = readFileSync(new URL("../openapi.json", import.meta.url), "utf8");
    const generated = serializeOpenApiDocument();
    expect(committed === generated, "packages/schema/openapi.json is out of date: run `npm run gen`").toBe(true);
  });

  it("is generated deterministically", () => {
    expect(serializeOpenApiDocument()).toBe(serializeOpenApiDocument());
  });
});
