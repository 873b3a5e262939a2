// Documented limits of the public API. The schema enforces what it can; the edge enforces the
// rest (sizes of uploads, decoded pixels) with the same constants.

export const LIMITS = {
  /** Requests in one batch, inline or from a JSONL file. */
  maxBatchRequests: 1_000,
  /**
   * Request body of any route not named below (JSON bodies of a few KB in practice); larger is a
   * 413 `payload_too_large`, refused before it is read when Content-Length declares it.
   */
  maxBodyBytes: 1024 * 1024,
  /**
   * Request body of a route that may carry images inline (chat completions, responses, creating
   * a conversation, its messages and items): room for one image at maxImageBytes as a base64
   * data URL (27.96 MB) and the text. Send more images as file ids or https URLs.
   */
  maxGenerationBodyBytes: 32 * 1024 * 1024,
  /** Size of any uploaded file (a batch JSONL file in practice); also the body of POST /v1/batches. */
  maxFileBytes: 50 * 1024 * 1024,
  /** Size of one image, uploaded or inline as a data URL (decoded bytes). */
  maxImageBytes: 20 * 1024 * 1024,
  /** Width or height of a decoded image, in pixels. */
  maxImageSide: 12_000,
  /** Width × height of a decoded image. */
  maxImagePixels: 40_000_000,
  /**
   * Images per user message, and per turn after consecutive user messages merge: each renders as
   * its own `### Image:` block before the turn's instruction (MODEL.md, "Several images in
   * one message"); the runner's renderer takes at most 4 per turn.
   */
  maxImagesPerMessage: 4,
  /** Distinct image URLs in one chat request: the edge fetches, decodes and preprocesses each. */
  maxImagesPerRequest: 16,
  /** Messages in one chat completion request. */
  maxMessages: 256,
  /** Stop sequences, as OpenAI. */
  maxStopSequences: 4,
  /** Metadata: keys per map, characters per key and value, as OpenAI. */
  maxMetadataKeys: 16,
  maxMetadataKeyLength: 64,
  maxMetadataValueLength: 512,
  /** Characters of a system prompt or of one message's text (all its text parts together). */
  maxTextLength: 32_768,
  /** Page size of list endpoints. */
  defaultPageSize: 20,
  maxPageSize: 100,
  /** Webhook endpoints per account. */
  maxWebhookEndpoints: 16,
  /** A batch's completion window. */
  batchCompletionWindowSeconds: 24 * 3600,
} as const;

/** Image formats the edge decodes (GIF: first frame). */
export const SUPPORTED_IMAGE_MEDIA_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"] as const;
