// Public names for the API's shapes, all derived from the generated OpenAPI types by indexed
// access, so a schema change reaches the SDK through `npm run gen` alone.
import type { components, operations } from "./generated/openapi";

type Schemas = components["schemas"];
type JsonBody<O extends keyof operations> =
  NonNullable<operations[O]["requestBody"]> extends {
    content: { "application/json": infer B };
  }
    ? B
    : never;
type Query<O extends keyof operations> = NonNullable<operations[O]["parameters"]["query"]>;

export type ErrorObject = Schemas["Error"];
export type ErrorEnvelope = Schemas["ErrorEnvelope"];
export type Usage = Schemas["Usage"];
export type Metadata = Schemas["Metadata"];

export type Model = Schemas["Model"];
export type ModelList = Schemas["ModelList"];

export type ChatCompletion = Schemas["ChatCompletion"];
export type ChatCompletionChunk = Schemas["ChatCompletionChunk"];
export type ChatMessage = Schemas["ChatMessage"];
export type UserContentPart = Schemas["UserContentPart"];
export type TextContentPart = Schemas["TextContentPart"];
export type ImageContentPart = Schemas["ImageContentPart"];
export type ChatCompletionCreateParams = JsonBody<"createChatCompletion">;
export type ChatCompletionCreateParamsStreaming = ChatCompletionCreateParams & { stream: true };
export type ChatCompletionCreateParamsNonStreaming = ChatCompletionCreateParams & { stream?: false | null };

export type Conversation = Schemas["Conversation"];
export type ConversationList = Schemas["ConversationList"];
export type ConversationDeleted = Schemas["ConversationDeleted"];
export type ConversationCreateParams = JsonBody<"createConversation">;
export type ConversationListParams = Query<"listConversations">;
export type ConversationUpdateParams = JsonBody<"updateConversation">;
export type ConversationItem = Schemas["MessageItem"];
export type ConversationItemList = Schemas["ConversationItemList"];
export type ConversationItemCreateParams = JsonBody<"createConversationItems">;
export type ConversationItemListParams = Query<"listConversationItems">;

export type ConversationMessage = Schemas["ConversationMessage"];
export type ConversationMessageDelta = Schemas["ConversationMessageDelta"];
export type ConversationStreamEvent = Schemas["ConversationStreamEvent"];
export type ConversationMessageList = Schemas["ConversationMessageList"];
export type MessageCreateParams = JsonBody<"createMessage">;
export type MessageCreateParamsStreaming = MessageCreateParams & { stream: true };
export type MessageCreateParamsNonStreaming = MessageCreateParams & { stream?: false | null };
export type MessageListParams = Query<"listMessages">;

/** A stored file's metadata (named so as not to shadow the global `File`). */
export type FileObject = Schemas["File"];
export type FileList = Schemas["FileList"];
export type FileDeleted = Schemas["FileDeleted"];
export type FilePurpose = Schemas["FilePurpose"];
/** The purposes a client may upload with (`batch_output` files are written by batches). */
export type UploadPurpose = Schemas["UploadPurpose"];
export type FileListParams = Query<"listFiles">;

export type Batch = Schemas["Batch"];
export type BatchList = Schemas["BatchList"];
export type BatchStatus = Schemas["BatchStatus"];
export type BatchRequestLine = Schemas["BatchRequestLine"];
export type BatchOutputLine = Schemas["BatchOutputLine"];
export type BatchCreateParams = JsonBody<"createBatch">;
export type BatchListParams = Query<"listBatches">;

export type WebhookEndpoint = Schemas["WebhookEndpoint"];
export type WebhookDelivery = Schemas["WebhookDelivery"];
export type WebhookEndpointWithSecret = Schemas["WebhookEndpointWithSecret"];
export type WebhookEndpointList = Schemas["WebhookEndpointList"];
export type WebhookEndpointDeleted = Schemas["WebhookEndpointDeleted"];
export type WebhookEndpointCreateParams = JsonBody<"createWebhookEndpoint">;
export type WebhookEndpointListParams = Query<"listWebhookEndpoints">;
export type WebhookEvent = Schemas["WebhookEvent"];
export type WebhookEventType = Schemas["WebhookEventType"];
