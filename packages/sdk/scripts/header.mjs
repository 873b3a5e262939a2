// Prepends the do-not-edit header to the generated types (or to the file given as argument, as
// the drift test does in a temporary directory). Idempotent: openapi-typescript rewrites the
// file on every `npm run gen`, and a second run of this script changes nothing.
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2] ?? new URL("../src/generated/openapi.d.ts", import.meta.url);
const HEADER = `/**
 * GENERATED FILE — DO NOT EDIT.
 * Source: packages/schema/openapi.json (from the route definitions in packages/schema/src).
 * Regenerate with \`npm run gen\` at the repository root.
 */
`;

const text = readFileSync(file, "utf8");
if (!text.startsWith(HEADER)) writeFileSync(file, HEADER + text);
