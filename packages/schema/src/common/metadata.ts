// The metadata map attached to conversations and batches (same rules as OpenAI's).
import { z } from "@hono/zod-openapi";
import { LIMITS } from "./limits";

export const Metadata = z
  .record(z.string().min(1).max(LIMITS.maxMetadataKeyLength), z.string().max(LIMITS.maxMetadataValueLength))
  .refine((m) => Object.keys(m).length <= LIMITS.maxMetadataKeys, {
    message: `at most ${LIMITS.maxMetadataKeys} metadata keys`,
  })
  .openapi("Metadata", {
    maxProperties: LIMITS.maxMetadataKeys,
    description: `Up to ${LIMITS.maxMetadataKeys} string key/value pairs for your own use (keys ≤ ${LIMITS.maxMetadataKeyLength} characters, values ≤ ${LIMITS.maxMetadataValueLength}).`,
    example: { project: "demo" },
  });
export type Metadata = z.infer<typeof Metadata>;
