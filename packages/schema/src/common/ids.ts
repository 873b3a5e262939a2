// Object id prefixes and their validators. Ids are opaque to clients; the prefix only tells
// humans (and the edge's router) what kind of object an id names.
import { z } from "@hono/zod-openapi";

export const ID_PREFIXES = {
  chatCompletion: "chatcmpl-",
  conversation: "conv_",
  message: "msg_",
  file: "file-",
  batch: "batch_",
  batchRequest: "batch_req_",
  webhookEndpoint: "we_",
  event: "evt_",
  apiKey: "key_",
  request: "req_",
  response: "resp_",
} as const;

/** Secrets shown once: the API key itself and a webhook endpoint's signing secret. */
export const SECRET_PREFIXES = { apiKey: "mmgpt_sk_", webhookSecret: "whsec_" } as const;

const ID_BODY = "[A-Za-z0-9_-]{1,64}";

function idSchema(prefix: string, example: string) {
  const escaped = prefix.replace(/[-]/g, "\\-");
  return z
    .string()
    .regex(new RegExp(`^${escaped}${ID_BODY}$`), { message: `must be an id starting with "${prefix}"` })
    .openapi({ example });
}

export const ConversationId = idSchema(ID_PREFIXES.conversation, "conv_6f1d0c2a9b");
export const MessageId = idSchema(ID_PREFIXES.message, "msg_3b7e91d4aa");
export const FileId = idSchema(ID_PREFIXES.file, "file-8a41c2f07d");
export const BatchId = idSchema(ID_PREFIXES.batch, "batch_51e0c9ab12");
export const WebhookEndpointId = idSchema(ID_PREFIXES.webhookEndpoint, "we_0d93f8c1e2");
export const ResponseId = idSchema(ID_PREFIXES.response, "resp_0a1b2c3d4e");
export const ApiKeyId = idSchema(ID_PREFIXES.apiKey, "key_7c2a4e9f10");

/** Unix time in seconds, as OpenAI's objects carry it. */
export const UnixTime = z.number().int().nonnegative().openapi({ example: 1795772400 });

/** Lowercase hex SHA-256. */
export const Sha256Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/, { message: "must be 64 lowercase hex characters" })
  .openapi({ example: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" });

/** Builds a path-parameter object `{ [name]: schema }` documented as `in: path`. */
export function pathParam<N extends string, S extends z.ZodString>(name: N, schema: S) {
  return z.object({ [name]: schema.openapi({ param: { name, in: "path", required: true } }) } as Record<N, S>);
}
