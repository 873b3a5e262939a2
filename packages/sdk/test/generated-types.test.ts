// The generated types must be exactly what `npm run gen` makes of the committed openapi.json:
// the generator runs into a temporary directory with the same options and the same header.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

const here = new URL("..", import.meta.url).pathname;
// The package exports no bin path; its CLI sits beside dist/.
const cli = join(dirname(createRequire(import.meta.url).resolve("openapi-typescript")), "../bin/cli.js");

describe("src/generated/openapi.d.ts", () => {
  it("matches packages/schema/openapi.json (else run `npm run gen`)", () => {
    const dir = mkdtempSync(join(tmpdir(), "mmgpt-sdk-gen-"));
    try {
      const out = join(dir, "openapi.d.ts");
      // The `gen` script of package.json, with its output redirected: the same input and options.
      const script = JSON.parse(readFileSync(join(here, "package.json"), "utf8")).scripts.gen as string;
      const [command, ...args] = script.split(" && ")[0].split(/\s+/);
      expect(command).toBe("openapi-typescript");
      args[args.indexOf("-o") + 1] = out;
      execFileSync(process.execPath, [cli, ...args], { cwd: here, stdio: "pipe" });
      execFileSync(process.execPath, ["scripts/header.mjs", out], { cwd: here });
      const committed = readFileSync(join(here, "src/generated/openapi.d.ts"), "utf8");
      const generated = readFileSync(out, "utf8");
      expect(committed === generated, "packages/sdk/src/generated/openapi.d.ts is stale: run `npm run gen`").toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
