// The shared secret and headers of the in-process service tests: what the edge sends on every call.
import { PROTOCOL_HEADER, PROTOCOL_VERSION, TENANT_HEADER } from "@mmgpt/schema/internal";
import { TEST_TENANT } from "./tiny-model.js";

export const SECRET = "test-secret-0123456789";
export const headers = {
  authorization: `Bearer ${SECRET}`,
  [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
  [TENANT_HEADER]: TEST_TENANT,
  "content-type": "application/json",
};
