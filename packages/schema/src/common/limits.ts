// Documented limits of the public API. The schema enforces what it can; the edge enforces the
// rest (sizes of uploads, decoded pixels) with the same constants.

export const LIMITS = {
  /** Requests in one batch, inline or from a JSONL file. */
  maxBatchRequests: 1_000,
  /** Size of any uploaded file (a batch JSONL file in practice). */
  maxFileBytes: 50 * 1024 * 1024,
  /** Size of one image, uploaded or inline as a data URL (decoded bytes). */
  maxImageBytes: 20 * 1024 * 1024,
  /** Width or height of a decoded image, in pixels. */
  maxImageSide: 8_192,
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
  /** Characters of a system prompt or of one message's text. */
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
