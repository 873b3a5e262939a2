// Batches: many chat completions run asynchronously (Queue → same path as chat → results JSONL
// in R2 → signed webhook). The batch object and lifecycle follow OpenAI's Batch API.
import { z } from "@hono/zod-openapi";
import { ChatCompletionRequest } from "../chat/request";
import { ChatCompletion } from "../chat/response";
import { ErrorEnvelope, FileId, LIMITS, listOf, Metadata, UnixTime } from "../common";

export const BATCH_ENDPOINT = "/v1/chat/completions";
export const BATCH_COMPLETION_WINDOW = "24h";

/**
 * validating → in_progress → finalizing → completed; or failed (invalid input), expired (window
 * passed), cancelling → cancelled. completed, failed, expired and cancelled are final.
 */
export const BATCH_STATUSES = [
  "validating",
  "failed",
  "in_progress",
  "finalizing",
  "completed",
  "expired",
  "cancelling",
  "cancelled",
] as const;
export const BatchStatus = z.enum(BATCH_STATUSES).openapi("BatchStatus");
export type BatchStatus = z.infer<typeof BatchStatus>;
export const FINAL_BATCH_STATUSES: readonly BatchStatus[] = ["completed", "failed", "expired", "cancelled"];

export const BatchRequestLine = z
  .object({
    custom_id: z
      .string()
      .min(1)
      .max(64)
      .openapi({ description: "Your id; unique within the batch.", example: "req-1" }),
    method: z.literal("POST"),
    url: z.literal(BATCH_ENDPOINT),
    body: ChatCompletionRequest,
  })
  .refine((line) => line.body.stream !== true, { message: "batch requests cannot stream", path: ["body", "stream"] })
  .openapi("BatchRequestLine", { description: "One request: an object inline, or one line of the input JSONL file." });
export type BatchRequestLine = z.infer<typeof BatchRequestLine>;

export const CreateBatchRequest = z
  .strictObject({
    input_file_id: FileId.optional().openapi({ description: "A `batch` file: JSONL of BatchRequestLine." }),
    requests: z
      .array(BatchRequestLine)
      .min(1)
      .max(LIMITS.maxBatchRequests)
      .optional()
      .openapi({ description: `Inline requests instead of a file (≤ ${LIMITS.maxBatchRequests}).` }),
    endpoint: z.literal(BATCH_ENDPOINT),
    completion_window: z.literal(BATCH_COMPLETION_WINDOW),
    metadata: Metadata.optional(),
  })
  .superRefine((req, ctx) => {
    if ((req.input_file_id === undefined) === (req.requests === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["input_file_id"],
        message: "give exactly one of input_file_id and requests",
      });
    }
    const seen = new Set<string>();
    req.requests?.forEach((line, i) => {
      if (seen.has(line.custom_id)) {
        ctx.addIssue({ code: "custom", path: ["requests", i, "custom_id"], message: "custom_id must be unique" });
      }
      seen.add(line.custom_id);
    });
  })
  .openapi("CreateBatchRequest", {
    description: `Exactly one of \`input_file_id\` and \`requests\`. At most ${LIMITS.maxBatchRequests} requests; the input file at most ${LIMITS.maxFileBytes / 1024 / 1024} MB.`,
  });
export type CreateBatchRequest = z.infer<typeof CreateBatchRequest>;
export type CreateBatchRequestInput = z.input<typeof CreateBatchRequest>;

export const BatchError = z.object({
  code: z.string(),
  message: z.string(),
  param: z.string().nullable(),
  line: z.number().int().nullable().openapi({ description: "1-based line of the input file." }),
});

const nullableTime = UnixTime.nullable();

export const Batch = z
  .object({
    id: z.string().openapi({ example: "batch_51e0c9ab12" }),
    object: z.literal("batch"),
    endpoint: z.literal(BATCH_ENDPOINT),
    errors: z
      .object({ object: z.literal("list"), data: z.array(BatchError) })
      .nullable()
      .openapi({ description: "Validation errors of the input (status `failed`)." }),
    input_file_id: z.string().openapi({ description: "Inline requests are stored as a file too." }),
    completion_window: z.literal(BATCH_COMPLETION_WINDOW),
    status: BatchStatus,
    output_file_id: z.string().nullable(),
    error_file_id: z.string().nullable(),
    created_at: UnixTime,
    in_progress_at: nullableTime,
    expires_at: nullableTime,
    finalizing_at: nullableTime,
    completed_at: nullableTime,
    failed_at: nullableTime,
    expired_at: nullableTime,
    cancelling_at: nullableTime,
    cancelled_at: nullableTime,
    request_counts: z.object({
      total: z.number().int().nonnegative(),
      completed: z.number().int().nonnegative(),
      failed: z.number().int().nonnegative(),
    }),
    metadata: Metadata.nullable(),
  })
  .openapi("Batch");
export type Batch = z.infer<typeof Batch>;

export const BatchList = listOf(Batch, "BatchList");
export type BatchList = z.infer<typeof BatchList>;

/** One line of the output file (successes) or of the error file (failures). */
export const BatchOutputLine = z
  .object({
    id: z.string().openapi({ example: "batch_req_2c9e7f01ab" }),
    custom_id: z.string(),
    response: z
      .object({
        status_code: z.number().int(),
        request_id: z.string(),
        body: z.union([ChatCompletion, ErrorEnvelope]),
      })
      .nullable(),
    error: z
      .object({ code: z.string(), message: z.string() })
      .nullable()
      .openapi({ description: "Set when the request failed without an HTTP response (e.g. expired, cancelled)." }),
  })
  .openapi("BatchOutputLine");
export type BatchOutputLine = z.infer<typeof BatchOutputLine>;
