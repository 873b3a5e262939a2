// Writes openapi.json from the route definitions: `npm run gen -w @mmgpt/schema`.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { serializeOpenApiDocument } from "../src/openapi";

const target = fileURLToPath(new URL("../openapi.json", import.meta.url));
writeFileSync(target, serializeOpenApiDocument());
console.log(`wrote ${target}`);
