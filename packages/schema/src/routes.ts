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
  createConversationRoute,
  createMessageRoute,
  deleteConversationRoute,
  getConversationRoute,
  listConversationsRoute,
  listMessagesRoute,
} from "./conversations";
import { deleteFileRoute, getFileContentRoute, getFileRoute, listFilesRoute, uploadFileRoute } from "./files";
import { healthRoute } from "./health";
import { getModelRoute, listModelsRoute } from "./models";
import { createWebhookEndpointRoute, deleteWebhookEndpointRoute, listWebhookEndpointsRoute } from "./webhooks";

export const publicRoutes = {
  listModels: listModelsRoute,
  getModel: getModelRoute,
  createChatCompletion: createChatCompletionRoute,
  createConversation: createConversationRoute,
  listConversations: listConversationsRoute,
  getConversation: getConversationRoute,
  deleteConversation: deleteConversationRoute,
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
