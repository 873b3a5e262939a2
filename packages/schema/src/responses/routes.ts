// Routes of /v1/responses: create (JSON or the Responses event stream), retrieve, delete, and
// the input items of a stored response.
import { createRoute } from "@hono/zod-openapi";
import {
  BASE_ERRORS,
  COMMON_RESPONSE_HEADERS,
  errorResponses,
  GENERATION_ERRORS,
  IdempotencyHeaders,
  jsonResponse,
  paginationQuery,
  pathParam,
  ResponseId,
} from "../common";
import { responseExample, userItemExample } from "./examples";
import {
  CreateResponseRequest,
  ResponseDeleted,
  ResponseInputItemList,
  ResponseObject,
  ResponseStreamEvent,
} from "./schemas";

const tags = ["Responses"];
export const ResponseParams = pathParam("response_id", ResponseId);

export const createResponseRoute = createRoute({
  method: "post",
  path: "/v1/responses",
  operationId: "createResponse",
  tags,
  summary: "Create a response",
  description:
    "OpenAI's Responses API on the same generation path as chat completions. With `conversation`, one generation per conversation at a time (`conversation_busy` otherwise) and the turn is appended only when the reply completes.",
  request: {
    headers: IdempotencyHeaders,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: CreateResponseRequest,
          example: { model: "mmgpt-tiny", input: "Describe a cat in one sentence.", max_output_tokens: 128 },
        },
      },
    },
  },
  responses: {
    200: {
      description: "The response (JSON), or the Responses event stream when `stream` is true.",
      headers: COMMON_RESPONSE_HEADERS,
      content: {
        "application/json": { schema: ResponseObject, example: responseExample },
        "text/event-stream": {
          schema: ResponseStreamEvent,
          example: {
            type: "response.output_text.delta",
            item_id: "msg_3b7e91d4aa",
            output_index: 0,
            content_index: 0,
            delta: "A ginger",
            logprobs: [],
            sequence_number: 4,
          },
        },
      },
    },
    ...errorResponses(...GENERATION_ERRORS),
  },
});

export const getResponseRoute = createRoute({
  method: "get",
  path: "/v1/responses/{response_id}",
  operationId: "getResponse",
  tags,
  summary: "Retrieve a stored response",
  request: { params: ResponseParams },
  responses: {
    200: jsonResponse(ResponseObject, "The response.", responseExample),
    ...errorResponses(...BASE_ERRORS, 404),
  },
});

export const deleteResponseRoute = createRoute({
  method: "delete",
  path: "/v1/responses/{response_id}",
  operationId: "deleteResponse",
  tags,
  summary: "Delete a stored response",
  description: "A response that continues it through `previous_response_id` then starts where its chain is cut.",
  request: { params: ResponseParams },
  responses: {
    200: jsonResponse(ResponseDeleted, "Deleted.", {
      id: responseExample.id,
      object: "response.deleted",
      deleted: true,
    }),
    ...errorResponses(...BASE_ERRORS, 404),
  },
});

export const listResponseInputItemsRoute = createRoute({
  method: "get",
  path: "/v1/responses/{response_id}/input_items",
  operationId: "listResponseInputItems",
  tags,
  summary: "List a stored response's input items",
  request: { params: ResponseParams, query: paginationQuery("desc") },
  responses: {
    200: jsonResponse(ResponseInputItemList, "A page of the input items, newest first by default.", {
      object: "list",
      data: [userItemExample],
      has_more: false,
      first_id: userItemExample.id,
      last_id: userItemExample.id,
    }),
    ...errorResponses(...BASE_ERRORS, 404),
  },
});
