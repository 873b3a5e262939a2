// Every public route, by operationId. The edge mounts them with OpenAPIHono; the document
// generator registers them in this order.
import { createApiKeyRoute, listApiKeysRoute, revokeApiKeyRoute } from "./admin";
import {
  cancelBatchRoute,
  createBatchRoute,
  getBatchErrorsRoute,
  getBatchOutputRoute,
  getBatchRoute,
  listBatchesRoute,
} from "./batches";
import { createChatCompletionRoute } from "./chat";
import {
  createConversationItemsRoute,
  createConversationRoute,
  createMessageRoute,
  deleteConversationItemRoute,
  deleteConversationRoute,
  getConversationItemRoute,
  getConversationRoute,
  listConversationItemsRoute,
  listConversationsRoute,
  listMessagesRoute,
  updateConversationRoute,
} from "./conversations";
import { deleteFileRoute, getFileContentRoute, getFileRoute, listFilesRoute, uploadFileRoute } from "./files";
import { healthRoute } from "./health";
import { getModelRoute, listModelsRoute } from "./models";
import { createResponseRoute, deleteResponseRoute, getResponseRoute, listResponseInputItemsRoute } from "./responses";
import { createWebhookEndpointRoute, deleteWebhookEndpointRoute, listWebhookEndpointsRoute } from "./webhooks";

export const publicRoutes = {
  listModels: listModelsRoute,
  getModel: getModelRoute,
  createChatCompletion: createChatCompletionRoute,
  createResponse: createResponseRoute,
  getResponse: getResponseRoute,
  deleteResponse: deleteResponseRoute,
  listResponseInputItems: listResponseInputItemsRoute,
  createConversation: createConversationRoute,
  listConversations: listConversationsRoute,
  getConversation: getConversationRoute,
  updateConversation: updateConversationRoute,
  deleteConversation: deleteConversationRoute,
  listConversationItems: listConversationItemsRoute,
  createConversationItems: createConversationItemsRoute,
  getConversationItem: getConversationItemRoute,
  deleteConversationItem: deleteConversationItemRoute,
  createMessage: createMessageRoute,
  listMessages: listMessagesRoute,
  uploadFile: uploadFileRoute,
  listFiles: listFilesRoute,
  getFile: getFileRoute,
  getFileContent: getFileContentRoute,
  deleteFile: deleteFileRoute,
  createBatch: createBatchRoute,
  listBatches: listBatchesRoute,
  getBatch: getBatchRoute,
  cancelBatch: cancelBatchRoute,
  getBatchOutput: getBatchOutputRoute,
  getBatchErrors: getBatchErrorsRoute,
  createWebhookEndpoint: createWebhookEndpointRoute,
  listWebhookEndpoints: listWebhookEndpointsRoute,
  deleteWebhookEndpoint: deleteWebhookEndpointRoute,
  createApiKey: createApiKeyRoute,
  listApiKeys: listApiKeysRoute,
  revokeApiKey: revokeApiKeyRoute,
  getHealth: healthRoute,
} as const;
export type PublicOperationId = keyof typeof publicRoutes;
