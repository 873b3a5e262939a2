// /v1/admin/api_keys: issuing and revoking API keys. Admin token only (never an API key).
import { createRoute, z } from "@hono/zod-openapi";
import {
  ADMIN_SECURITY,
  ApiKeyId,
  errorResponses,
  IdempotencyHeaders,
  jsonResponse,
  listOf,
  paginationQuery,
  pathParam,
  REQUEST_ID_RESPONSE_HEADERS,
  SECRET_PREFIXES,
  UnixTime,
} from "../common";

const tags = ["Admin"];
const ADMIN_ERRORS = [400, 401, 413, 500] as const;

export const AccountId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: "must be 1-64 characters of A-Z a-z 0-9 _ -" })
  .openapi({ description: "The account the key bills and rate-limits to.", example: "acct_demo" });

export const ApiKey = z
  .object({
    id: z.string().openapi({ example: "key_7c2a4e9f10" }),
    object: z.literal("api_key"),
    account_id: z.string(),
    name: z.string(),
    prefix: z
      .string()
      .openapi({ description: "First characters of the key, to recognize it.", example: "mmgpt_sk_3f9a" }),
    created_at: UnixTime,
    last_used_at: UnixTime.nullable(),
    revoked_at: UnixTime.nullable(),
  })
  .openapi("ApiKey");
export type ApiKey = z.infer<typeof ApiKey>;

export const ApiKeyWithSecret = ApiKey.extend({
  key: z.string().startsWith(SECRET_PREFIXES.apiKey).nullable().openapi({
    description:
      "The key; shown only in this response. Only its hash is stored: an Idempotency-Key replay of this response has `null` here (if the first answer was lost, revoke the key and issue another).",
    example: "mmgpt_sk_3f9a0c1d2e3f4a5b6c7d8e9f",
  }),
}).openapi("ApiKeyWithSecret");
export type ApiKeyWithSecret = z.infer<typeof ApiKeyWithSecret>;

export const CreateApiKeyRequest = z
  .strictObject({ account_id: AccountId, name: z.string().min(1).max(100).openapi({ example: "ci" }) })
  .openapi("CreateApiKeyRequest");
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

export const ApiKeyList = listOf(ApiKey, "ApiKeyList");
export type ApiKeyList = z.infer<typeof ApiKeyList>;

export const ListApiKeysQuery = paginationQuery("desc").extend({
  account_id: AccountId.optional().openapi({ description: "Only keys of this account." }),
});
export const ApiKeyParams = pathParam("api_key_id", ApiKeyId);

const keyExample: ApiKey = {
  id: "key_7c2a4e9f10",
  object: "api_key",
  account_id: "acct_demo",
  name: "ci",
  prefix: "mmgpt_sk_3f9a",
  created_at: 1795772400,
  last_used_at: null,
  revoked_at: null,
};

export const createApiKeyRoute = createRoute({
  method: "post",
  path: "/v1/admin/api_keys",
  operationId: "createApiKey",
  tags,
  summary: "Issue an API key",
  description: "The key is returned once; only its hash is stored.",
  security: ADMIN_SECURITY,
  request: {
    headers: IdempotencyHeaders,
    body: {
      required: true,
      content: {
        "application/json": { schema: CreateApiKeyRequest, example: { account_id: "acct_demo", name: "ci" } },
      },
    },
  },
  responses: {
    200: jsonResponse(
      ApiKeyWithSecret,
      "The key, with its secret.",
      { ...keyExample, key: "mmgpt_sk_3f9a0c1d2e3f4a5b6c7d8e9f" },
      REQUEST_ID_RESPONSE_HEADERS,
    ),
    ...errorResponses(...ADMIN_ERRORS),
  },
});

export const listApiKeysRoute = createRoute({
  method: "get",
  path: "/v1/admin/api_keys",
  operationId: "listApiKeys",
  tags,
  summary: "List API keys",
  security: ADMIN_SECURITY,
  request: { query: ListApiKeysQuery },
  responses: {
    200: jsonResponse(
      ApiKeyList,
      "A page of keys, newest first by default.",
      { object: "list", data: [keyExample], has_more: false, first_id: keyExample.id, last_id: keyExample.id },
      REQUEST_ID_RESPONSE_HEADERS,
    ),
    ...errorResponses(...ADMIN_ERRORS),
  },
});

export const revokeApiKeyRoute = createRoute({
  method: "delete",
  path: "/v1/admin/api_keys/{api_key_id}",
  operationId: "revokeApiKey",
  tags,
  summary: "Revoke an API key",
  description: "Requests with the key fail with `invalid_api_key` from now on. Revoking twice is harmless.",
  security: ADMIN_SECURITY,
  request: { params: ApiKeyParams },
  responses: {
    200: jsonResponse(
      ApiKey,
      "The revoked key.",
      { ...keyExample, revoked_at: 1795772500 },
      REQUEST_ID_RESPONSE_HEADERS,
    ),
    ...errorResponses(...ADMIN_ERRORS, 404),
  },
});
