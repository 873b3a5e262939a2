// Builds the OpenAPI 3.1 document from the route objects, webhooks and components, in a
// canonical key order so that regenerating it is byte-stable (the drift test relies on it).
import { OpenAPIHono } from "@hono/zod-openapi";
import { API_KEY_SECURITY, LIMITS, RESPONSE_HEADER_COMPONENTS, SECURITY_SCHEMES } from "./common";
import { publicRoutes } from "./routes";
import { webhookDefinitions } from "./webhooks";

export const API_VERSION = "0.1.0";

const TAGS = [
  { name: "Chat", description: "OpenAI-compatible chat completions with images." },
  { name: "Conversations", description: "Server-side conversations: send only the new message each turn." },
  { name: "Files", description: "Images to reference by id, and batch input files." },
  { name: "Batches", description: "Asynchronous batches of chat completions." },
  { name: "Webhooks", description: "Endpoints notified when a batch finishes." },
  { name: "Models", description: "The served models." },
  { name: "Admin", description: "API key management (admin token)." },
  { name: "Health", description: "Liveness." },
];

const DESCRIPTION = `MultiModal-GPT (OpenFlamingo-9B + LoRA) as an OpenAI-compatible API.

- **Auth**: \`Authorization: Bearer mmgpt_sk_…\`; \`/v1/admin/*\` takes the admin token instead.
- **Errors**: every 4xx/5xx body is \`{"error":{"type","code","message","param","request_id"}}\`.
- **Rate limits**: \`x-ratelimit-limit\`, \`x-ratelimit-remaining\`, \`x-ratelimit-reset\` on every response; \`Retry-After\` on 429 and 503.
- **Idempotency**: POSTs accept \`Idempotency-Key\`; a retry with the same key returns the first response.
- **Images**: up to ${LIMITS.maxImagesPerMessage} per user message (and per run of consecutive user messages, which is one turn), ${LIMITS.maxImagesPerRequest} distinct per request, each a data URL, an https URL or an uploaded file id; each is resized to 224x224 and rendered as its own \`### Image:\` block, in message order, before the turn's instruction.
- **Limits**: ${LIMITS.maxBatchRequests} requests per batch, ${LIMITS.maxFileBytes / 1024 / 1024} MB per file, ${LIMITS.maxImageBytes / 1024 / 1024} MB per image, ${LIMITS.maxMetadataKeys} metadata keys.`;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const TOP_LEVEL_ORDER = [
  "openapi",
  "info",
  "servers",
  "security",
  "tags",
  "paths",
  "webhooks",
  "components",
  "externalDocs",
];

function sortKeys(obj: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Canonical order: fixed top level; paths, webhooks and each component map sorted by name. */
function canonicalize(doc: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of TOP_LEVEL_ORDER) if (doc[key] !== undefined) out[key] = doc[key];
  out.paths = sortKeys(out.paths as JsonObject);
  if (out.webhooks) out.webhooks = sortKeys(out.webhooks as JsonObject);
  const components = out.components as Record<string, JsonObject>;
  const sorted: JsonObject = {};
  for (const name of Object.keys(components).sort()) {
    if (Object.keys(components[name]).length > 0) sorted[name] = sortKeys(components[name]);
  }
  out.components = sorted;
  return out;
}

/** The public API as an OpenAPI 3.1 document (plain JSON). */
export function buildOpenApiDocument(): JsonObject {
  const app = new OpenAPIHono();
  const registry = app.openAPIRegistry;
  for (const route of Object.values(publicRoutes)) registry.registerPath(route);
  for (const webhook of webhookDefinitions) registry.registerWebhook(webhook);
  for (const [name, header] of Object.entries(RESPONSE_HEADER_COMPONENTS)) {
    registry.registerComponent("headers", name, header);
  }
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) {
    registry.registerComponent("securitySchemes", name, scheme);
  }
  const doc = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: { title: "mmgpt API", version: API_VERSION, description: DESCRIPTION },
    servers: [{ url: "http://localhost:8787", description: "Local `npm start`" }],
    security: API_KEY_SECURITY,
    tags: TAGS,
  });
  // Round-trip through JSON: drops undefined values so the in-memory document equals the file.
  return canonicalize(JSON.parse(JSON.stringify(doc)) as JsonObject);
}

/** The document as written to openapi.json: 2-space indent, trailing newline. */
export function serializeOpenApiDocument(doc: JsonObject = buildOpenApiDocument()): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
