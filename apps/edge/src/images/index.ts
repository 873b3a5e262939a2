// Public surface of the edge image pipeline: turn a user's image (bytes, data: URL or https URL)
// into the 224×224×3 uint8 RGB tensor MultiModal-GPT's CLIP expects, plus its SHA-256.
export { DATA_URL_MEDIA_TYPES, type DataUrlImage, type DataUrlMediaType, parseDataUrl } from "./data-url";
export type { DecodeVariant, PixelMode } from "./dimensions";
export { ImageError, type ImageErrorReason, type ImageLimitName } from "./errors";
export {
  FETCH_TIMEOUT_MS,
  type FetchedImage,
  type FetchImageOptions,
  fetchImage,
  MAX_REDIRECTS,
} from "./fetch-image";
export { CLIP_IMAGE_SIZE } from "./geometry";
export {
  DECODE_BYTES_PER_PIXEL,
  DEFAULT_IMAGE_LIMITS,
  type ImageLimits,
  MAX_DECODE_BYTES,
  MAX_ENCODED_BYTES,
  MAX_PIXELS,
  MAX_SIDE,
  MIN_SIDE,
} from "./limits";
export { type PreprocessedImage, type PreprocessOptions, preprocessImage, sha256Hex } from "./preprocess";
export { type ImageFormat, sniffFormat } from "./sniff";
