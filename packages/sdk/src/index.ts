// @mmgpt/sdk: TypeScript client for the mmgpt API (MultiModal-GPT behind an OpenAI-compatible
// HTTP API). Runs in Node ≥ 20, browsers and Workers; the types come from packages/schema.
export { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, MMGPT, MMGPT as default } from "./client";
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  type ErrorCode,
  type ErrorType,
  InternalServerError,
  MMGPTError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
  WebhookVerificationError,
} from "./core/errors";
export type { ClientOptions, Fetch, RequestOptions, WithRequestId } from "./core/options";
export { type CursorPageShape, type PageItem, PageIterator } from "./core/pagination";
export { Stream } from "./core/stream";
export type { Uploadable } from "./core/uploads";
export type { components, operations, paths, webhooks } from "./generated/openapi";
export { ChatCompletionStream } from "./helpers/chat-completion-stream";
export { collectText } from "./helpers/collect-text";
export { ConversationMessageStream } from "./helpers/conversation-stream";
export { dataUrl, type ImageInput, imagePart, textPart } from "./helpers/images";
export { type ImageMediaType, sniffImageType } from "./helpers/mime";
export {
  type VerifyOptions,
  verifyWebhook,
  WEBHOOK_TOLERANCE_SECONDS,
  type WebhookHeaders,
} from "./helpers/webhook-signature";
export type { FileCreateParams } from "./resources/files";
export type * from "./types";
