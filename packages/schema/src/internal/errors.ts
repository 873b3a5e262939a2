// Errors the runner answers with. The edge maps them to public error codes; the runner never
// renders the public envelope (it knows nothing of accounts or request ids).
import { z } from "zod";
import { Sha256 } from "./images";

export const RUNNER_ERROR_CODES = [
  "unauthorized", // 401: bad or missing RUNNER_SECRET
  "protocol_mismatch", // 400: missing or unsupported x-mmgpt-protocol
  "invalid_request", // 400: body fails the schema
  "model_not_found", // 404
  "image_missing", // 409: some turn images are not on this runner; PUT them and retry
  "image_invalid", // 400: PUT body of the wrong size or hash
  "context_length_exceeded", // 400: prompt + max_tokens > context
  "overloaded", // 503: queue full; retry elsewhere or later
  "not_ready", // 503: model still loading
  "internal", // 500
] as const;
export type RunnerErrorCode = (typeof RUNNER_ERROR_CODES)[number];

export const RunnerErrorBody = z.object({
  error: z.object({ code: z.enum(RUNNER_ERROR_CODES), message: z.string() }),
});
export type RunnerErrorBody = z.infer<typeof RunnerErrorBody>;

/** 409 answer to a generate call whose images the runner lacks; sent before any generation. */
export const ImageMissingBody = z.object({
  error: z.object({
    code: z.literal("image_missing"),
    message: z.string().optional(),
    missing: z.array(Sha256).min(1),
  }),
});
export type ImageMissingBody = z.infer<typeof ImageMissingBody>;

/** HTTP status of each runner error code. */
export const RUNNER_ERROR_STATUS: Record<RunnerErrorCode, number> = {
  unauthorized: 401,
  protocol_mismatch: 400,
  invalid_request: 400,
  model_not_found: 404,
  image_missing: 409,
  image_invalid: 400,
  context_length_exceeded: 400,
  overloaded: 503,
  not_ready: 503,
  internal: 500,
};
