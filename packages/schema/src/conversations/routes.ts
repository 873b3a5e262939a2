// Routes of /v1/conversations and /v1/conversations/{conversation_id}/messages.
import { createRoute } from "@hono/zod-openapi";
import {
  BASE_ERRORS,
  COMMON_RESPONSE_HEADERS,
  ConversationId,
  errorResponses,
  GENERATION_ERRORS,
  IdempotencyHeaders,
  jsonResponse,
  MessageId,
  paginationQuery,
  pathParam,
} from "../common";
import { userItemExample } from "../responses/examples";
import { MessageItem } from "../responses/items";
import { assistantMessageExample, conversationExample, userMessageExample } from "./examples";
import {
  Conversation,
  ConversationDeleted,
  ConversationItemList,
  ConversationList,
  ConversationMessage,
  ConversationMessageList,
  ConversationStreamEvent,
  CreateConversationItemsRequest,
  CreateConversationRequest,
  CreateMessageRequest,
  UpdateConversationRequest,
} from "./schemas";

const tags = ["Conversations"];
export const ConversationParams = pathParam("conversation_id", ConversationId);
export const ConversationItemParams = ConversationParams.extend(pathParam("item_id", MessageId).shape);

export const createConversationRoute = createRoute({
  method: "post",
  path: "/v1/conversations",
  operationId: "createConversation",
  tags,
  summary: "Create a conversation",
  description:
    "OpenAI's Conversations API, with initial `items` and `metadata`; extensions `model` and `system`. Send each turn with `POST /v1/responses` (`conversation`) or `POST …/messages`; the runner reuses its KV cache.",
  request: {
    headers: IdempotencyHeaders,
    body: {
      required: false,
      content: {
        "application/json": {
          schema: CreateConversationRequest,
          example: { system: "You are a helpful assistant.", metadata: { project: "demo" } },
        },
      },
    },
  },
  responses: {
    200: jsonResponse(Conversation, "The new conversation.", {
      ...conversationExample,
      message_count: 0,
      last_message_at: null,
    }),
    ...errorResponses(...BASE_ERRORS),
  },
});

export const listConversationsRoute = createRoute({
  method: "get",
  path: "/v1/conversations",
  operationId: "listConversations",
  tags,
  summary: "List conversations",
  description: "Extension (OpenAI has no list of conversations).",
  request: { query: paginationQuery("desc") },
  responses: {
    200: jsonResponse(ConversationList, "A page of conversations, newest first by default.", {
      object: "list",
      data: [conversationExample],
      has_more: false,
      first_id: conversationExample.id,
      last_id: conversationExample.id,
    }),
    ...errorResponses(...BASE_ERRORS),
  },
});

export const getConversationRoute = createRoute({
  method: "get",
  path: "/v1/conversations/{conversation_id}",
  operationId: "getConversation",
  tags,
  summary: "Get a conversation",
  request: { params: ConversationParams },
  responses: {
    200: jsonResponse(Conversation, "The conversation.", conversationExample),
    ...errorResponses(...BASE_ERRORS, 404),
  },
});

export const deleteConversationRoute = createRoute({
  method: "delete",
  path: "/v1/conversations/{conversation_id}",
  operationId: "deleteConversation",
  tags,
  summary: "Delete a conversation",
  description: "Deletes the conversation and its messages. Fails with `conversation_busy` while a reply is generated.",
  request: { params: ConversationParams },
  responses: {
    200: jsonResponse(ConversationDeleted, "Deleted.", {
      id: conversationExample.id,
      object: "conversation.deleted",
      deleted: true,
    }),
    ...errorResponses(...BASE_ERRORS, 404, 409),
  },
});

export const createMessageRoute = createRoute({
  method: "post",
  path: "/v1/conversations/{conversation_id}/messages",
  operationId: "createMessage",
  tags,
  summary: "Send a message and get the reply",
  description:
    "Appends a user turn and generates the assistant's reply. One generation per conversation at a time (`conversation_busy` otherwise); both messages are committed only when the reply completes.",
  request: {
    params: ConversationParams,
    headers: IdempotencyHeaders,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: CreateMessageRequest,
          example: {
            content: [
              { type: "text", text: "What is in this image?" },
              { type: "image_url", image_url: { url: "file-8a41c2f07d" } },
            ],
            max_tokens: 128,
          },
        },
      },
    },
  },
  responses: {
    200: {
      description: "The assistant message (JSON), or a stream of events when `stream` is true.",
      headers: COMMON_RESPONSE_HEADERS,
      content: {
        "application/json": { schema: ConversationMessage, example: assistantMessageExample },
        "text/event-stream": {
          schema: ConversationStreamEvent,
          example: {
            object: "conversation.message.delta",
            id: assistantMessageExample.id,
            conversation_id: assistantMessageExample.conversation_id,
            delta: { content: "A ginger" },
          },
        },
      },
    },
    ...errorResponses(...GENERATION_ERRORS),
  },
});

export const listMessagesRoute = createRoute({
  method: "get",
  path: "/v1/conversations/{conversation_id}/messages",
  operationId: "listMessages",
  tags,
  summary: "List a conversation's messages",
  request: { params: ConversationParams, query: paginationQuery("asc") },
  responses: {
    200: jsonResponse(ConversationMessageList, "A page of messages, oldest first by default.", {
      object: "list",
      data: [userMessageExample, assistantMessageExample],
      has_more: false,
      first_id: userMessageExample.id,
      last_id: assistantMessageExample.id,
    }),
    ...errorResponses(...BASE_ERRORS, 404),
  },
});

export const updateConversationRoute = createRoute({
  method: "post",
  path: "/v1/conversations/{conversation_id}",
  operationId: "updateConversation",
  tags,
  summary: "Update a conversation's metadata",
  request: {
    params: ConversationParams,
    headers: IdempotencyHeaders,
    body: {
      required: true,
      content: { "application/json": { schema: UpdateConversationRequest, example: { metadata: { topic: "cats" } } } },
    },
  },
  responses: {
    200: jsonResponse(Conversation, "The updated conversation.", conversationExample),
    ...errorResponses(...BASE_ERRORS, 404),
  },
});

const itemListExample = {
  object: "list" as const,
  data: [userItemExample],
  has_more: false,
  first_id: userItemExample.id,
  last_id: userItemExample.id,
};

export const listConversationItemsRoute = createRoute({
  method: "get",
  path: "/v1/conversations/{conversation_id}/items",
  operationId: "listConversationItems",
  tags,
  summary: "List a conversation's items",
  request: { params: ConversationParams, query: paginationQuery("desc") },
  responses: {
    200: jsonResponse(ConversationItemList, "A page of items, newest first by default.", itemListExample),
    ...errorResponses(...BASE_ERRORS, 404),
  },
});

export const createConversationItemsRoute = createRoute({
  method: "post",
  path: "/v1/conversations/{conversation_id}/items",
  operationId: "createConversationItems",
  tags,
  summary: "Add items to a conversation",
  description:
    "Appends the items in order (no reply is generated). Fails with `conversation_busy` while a reply is generated.",
  request: {
    params: ConversationParams,
    headers: IdempotencyHeaders,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: CreateConversationItemsRequest,
          example: { items: [{ type: "message", role: "user", content: "Hello!" }] },
        },
      },
    },
  },
  responses: {
    200: jsonResponse(ConversationItemList, "The items added, in order.", itemListExample),
    ...errorResponses(...BASE_ERRORS, 404, 409),
  },
});

export const getConversationItemRoute = createRoute({
  method: "get",
  path: "/v1/conversations/{conversation_id}/items/{item_id}",
  operationId: "getConversationItem",
  tags,
  summary: "Retrieve a conversation item",
  request: { params: ConversationItemParams },
  responses: {
    200: jsonResponse(MessageItem, "The item.", userItemExample),
    ...errorResponses(...BASE_ERRORS, 404),
  },
});

export const deleteConversationItemRoute = createRoute({
  method: "delete",
  path: "/v1/conversations/{conversation_id}/items/{item_id}",
  operationId: "deleteConversationItem",
  tags,
  summary: "Delete a conversation item",
  description: "Returns the conversation, as OpenAI does. Fails with `conversation_busy` while a reply is generated.",
  request: { params: ConversationItemParams },
  responses: {
    200: jsonResponse(Conversation, "The conversation.", conversationExample),
    ...errorResponses(...BASE_ERRORS, 404, 409),
  },
});
