// Routes of /v1/batches.
import { createRoute } from "@hono/zod-openapi";
import {
  BASE_ERRORS,
  BatchId,
  COMMON_RESPONSE_HEADERS,
  errorResponses,
  IdempotencyHeaders,
  jsonResponse,
  paginationQuery,
  pathParam,
} from "../common";
import { batchExample, batchOutputLineExample, createBatchExample } from "./examples";
import { Batch, BatchList, BatchOutputLine, CreateBatchRequest } from "./schemas";

const tags = ["Batches"];
export const BatchParams = pathParam("batch_id", BatchId);
export const JSONL_CONTENT_TYPE = "application/jsonl";

export const createBatchRoute = createRoute({
  method: "post",
  path: "/v1/batches",
  operationId: "createBatch",
  tags,
  summary: "Create a batch",
  description:
    "Runs many chat completions within 24 h. Each request is processed once per `custom_id` even when retried. Subscribe a webhook endpoint to learn when it finishes.",
  request: {
    headers: IdempotencyHeaders,
    body: {
      required: true,
      content: { "application/json": { schema: CreateBatchRequest, example: createBatchExample } },
    },
  },
  responses: {
    200: jsonResponse(Batch, "The batch, usually `validating`.", {
      ...batchExample,
      status: "validating",
      output_file_id: null,
      in_progress_at: null,
      finalizing_at: null,
      completed_at: null,
      request_counts: { total: 1, completed: 0, failed: 0 },
    }),
    ...errorResponses(...BASE_ERRORS, 404),
  },
});

export const listBatchesRoute = createRoute({
  method: "get",
  path: "/v1/batches",
  operationId: "listBatches",
  tags,
  summary: "List batches",
  request: { query: paginationQuery("desc") },
  responses: {
    200: jsonResponse(BatchList, "A page of batches, newest first by default.", {
      object: "list",
      data: [batchExample],
      has_more: false,
      first_id: batchExample.id,
      last_id: batchExample.id,
    }),
    ...errorResponses(...BASE_ERRORS),
  },
});

export const getBatchRoute = createRoute({
  method: "get",
  path: "/v1/batches/{batch_id}",
  operationId: "getBatch",
  tags,
  summary: "Get a batch",
  request: { params: BatchParams },
  responses: {
    200: jsonResponse(Batch, "The batch.", batchExample),
    ...errorResponses(...BASE_ERRORS, 404),
  },
});

export const cancelBatchRoute = createRoute({
  method: "post",
  path: "/v1/batches/{batch_id}/cancel",
  operationId: "cancelBatch",
  tags,
  summary: "Cancel a batch",
  description:
    "Moves the batch to `cancelling`, then `cancelled` once running requests finish; their results stay in the output. A batch in a final status answers `invalid_state`.",
  request: { params: BatchParams, headers: IdempotencyHeaders },
  responses: {
    200: jsonResponse(Batch, "The batch, now `cancelling`.", {
      ...batchExample,
      status: "cancelling",
      output_file_id: null,
      finalizing_at: null,
      completed_at: null,
      cancelling_at: 1795772430,
    }),
    ...errorResponses(...BASE_ERRORS, 404, 409),
  },
});

function downloadRoute(kind: "output" | "errors") {
  const which = kind === "output" ? "successful requests" : "failed requests";
  return createRoute({
    method: "get",
    path: `/v1/batches/{batch_id}/${kind}`,
    operationId: kind === "output" ? "getBatchOutput" : "getBatchErrors",
    tags,
    summary: kind === "output" ? "Download a batch's results" : "Download a batch's errors",
    description: `JSONL, one BatchOutputLine per line, for the ${which}, in no particular order (match on \`custom_id\`). Available once the batch is in a final status (\`invalid_state\` before).`,
    request: { params: BatchParams },
    responses: {
      200: {
        description: `JSONL of the ${which}.`,
        headers: COMMON_RESPONSE_HEADERS,
        content: { [JSONL_CONTENT_TYPE]: { schema: BatchOutputLine, example: batchOutputLineExample } },
      },
      ...errorResponses(...BASE_ERRORS, 404, 409),
    },
  });
}

export const getBatchOutputRoute = downloadRoute("output");
export const getBatchErrorsRoute = downloadRoute("errors");
