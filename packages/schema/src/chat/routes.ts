// Route of POST /v1/chat/completions, for OpenAPIHono (validation) and the OpenAPI document.
import { createRoute } from "@hono/zod-openapi";
import { COMMON_RESPONSE_HEADERS, errorResponses, GENERATION_ERRORS, IdempotencyHeaders, LIMITS } from "../common";
import { chatChunkExample, chatCompletionExample, chatRequestExamples } from "./examples";
import { ChatCompletionRequest } from "./request";
import { ChatCompletion, ChatCompletionChunk } from "./response";

export const createChatCompletionRoute = createRoute({
  method: "post",
  path: "/v1/chat/completions",
  operationId: "createChatCompletion",
  tags: ["Chat"],
  summary: "Create a chat completion",
  description: `OpenAI-compatible chat completion with images. A user message may carry up to ${LIMITS.maxImagesPerMessage} images (as may a run of consecutive user messages, which is one turn); each is rendered as its own \`### Image:\` block, in message order, before the turn's instruction. At most ${LIMITS.maxImagesPerRequest} distinct images per request. With \`stream: true\` the reply is sent as \`chat.completion.chunk\` server-sent events ending with \`data: [DONE]\`.`,
  request: {
    headers: IdempotencyHeaders,
    body: {
      required: true,
      content: { "application/json": { schema: ChatCompletionRequest, examples: chatRequestExamples } },
    },
  },
  responses: {
    200: {
      description: "The completion (JSON), or a stream of chunks when `stream` is true.",
      headers: COMMON_RESPONSE_HEADERS,
      content: {
        "application/json": { schema: ChatCompletion, example: chatCompletionExample },
        "text/event-stream": { schema: ChatCompletionChunk, example: chatChunkExample },
      },
    },
    ...errorResponses(...GENERATION_ERRORS),
  },
});
