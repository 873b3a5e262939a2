// /v1/admin/api_keys: issue (secret shown once), list and revoke API keys. Mounted behind
// requireAdmin; API keys never reach these handlers.
import { createApiKeyRoute, listApiKeysRoute, revokeApiKeyRoute } from "@mmgpt/schema";
import { notFound } from "../errors/api-error";
import { withholdOnReplay } from "../http/idempotency";
import { toPage } from "../http/pagination";
import { newRouter } from "../http/router";
import { createKey, listKeys, revokeKey, toApiKey } from "./key-store";

export const adminRoutes = newRouter()
  .openapi(createApiKeyRoute, async (c) => {
    const body = c.req.valid("json");
    withholdOnReplay(c, "key");
    return c.json(await createKey(c.env.DB, body.account_id, body.name), 200);
  })
  .openapi(listApiKeysRoute, async (c) => {
    const query = c.req.valid("query");
    return c.json(toPage(await listKeys(c.env.DB, query), query.limit, toApiKey), 200);
  })
  .openapi(revokeApiKeyRoute, async (c) => {
    const row = await revokeKey(c.env.DB, c.req.valid("param").api_key_id);
    if (!row) throw notFound("API key", "api_key_id");
    return c.json(toApiKey(row), 200);
  });
