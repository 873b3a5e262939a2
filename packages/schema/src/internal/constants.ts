// Constants of the edge → runner protocol: version, headers, paths, media types, sizes.
// Bump PROTOCOL_VERSION on any incompatible change; each side rejects a version it does not speak.

// 2: a turn carries `images` (several per user turn) instead of one `image`.
// 3: params carry n, logprobs, presence/frequency penalties and logit_bias (an old runner would
//    silently drop them); deltas carry their choice index and logprobs.
// 4: every generation names its `tenant` and every image call sends TENANT_HEADER; a v3 runner
//    would ignore the key and share caches across accounts, so the versions refuse each other.
export const PROTOCOL_VERSION = 4;
export const PROTOCOL_HEADER = "x-mmgpt-protocol";
/** `authorization: Bearer <RUNNER_SECRET>` on every request but /healthz, /readyz and /metrics. */
export const RUNNER_AUTH_HEADER = "authorization";
export const REQUEST_ID_HEADER = "x-request-id";
/** The opaque tenant key (TenantKey) on image HEAD/PUT: a runner keeps images per tenant. */
export const TENANT_HEADER = "x-mmgpt-tenant";

export const INTERNAL_PATHS = {
  generate: "/internal/v1/generate",
  /** `{sha256}` is the lowercase hex hash of the preprocessed image bytes. */
  image: "/internal/v1/images/{sha256}",
  models: "/internal/v1/models",
  healthz: "/healthz",
  readyz: "/readyz",
  metrics: "/metrics",
} as const;

/** Hono-style routing path (`:param`) of an INTERNAL_PATHS entry. */
export function routingPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ":$1");
}

/** The concrete path of one image. */
export function imagePath(sha256: string): string {
  return INTERNAL_PATHS.image.replace("{sha256}", sha256);
}

export const NDJSON_CONTENT_TYPE = "application/x-ndjson";
export const OCTET_STREAM_CONTENT_TYPE = "application/octet-stream";
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4";

/**
 * A preprocessed image as it crosses the wire: 224x224 RGB, uint8, row-major HWC, resized and
 * center-cropped by the edge (normalization happens on the runner).
 */
export const PREPROCESSED_IMAGE = { width: 224, height: 224, channels: 3 } as const;
export const PREPROCESSED_IMAGE_BYTES =
  PREPROCESSED_IMAGE.width * PREPROCESSED_IMAGE.height * PREPROCESSED_IMAGE.channels;

/** Headers the edge sends on every authenticated runner call (the tenant's on account work). */
export function runnerHeaders(secret: string, requestId?: string, tenant?: string): Record<string, string> {
  return {
    [RUNNER_AUTH_HEADER]: `Bearer ${secret}`,
    [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
    ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}),
    ...(tenant ? { [TENANT_HEADER]: tenant } : {}),
  };
}
