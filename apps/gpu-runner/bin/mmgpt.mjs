#!/usr/bin/env node
// Entry point of the `mmgpt` command: loads the TypeScript CLI through tsx (a root dev
// dependency), so it runs from a clean checkout without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/convert/cli.ts");
process.exitCode = main(process.argv.slice(2));
