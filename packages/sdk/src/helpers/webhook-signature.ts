// Verifies a webhook delivery (Standard Webhooks): HMAC-SHA256 over `${id}.${timestamp}.${body}`
// keyed by the base64 secret after `whsec_`, compared in constant time against each `v1,<base64>`
// signature, with the timestamp within 300 s either way. WebCrypto only: runs everywhere.
import { fromBase64 } from "../core/base64";
import { WebhookVerificationError } from "../core/errors";
import type { WebhookEvent } from "../types";

export const WEBHOOK_TOLERANCE_SECONDS = 300;
const SECRET_PREFIX = "whsec_";

/** Fetch `Headers`, or a plain object such as Node's `IncomingHttpHeaders`. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** Allowed clock difference, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** The current time in milliseconds (tests). Default `Date.now()`. */
  now?: number;
}

/** Checks the signature and timestamp, then returns the parsed event; throws WebhookVerificationError. */
export async function verifyWebhook(
  payload: string,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyOptions = {},
): Promise<WebhookEvent> {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures)
    throw new WebhookVerificationError("Missing webhook-id, -timestamp or -signature.");

  checkTimestamp(timestamp, options);
  const expected = await sign(secretKey(secret), `${id}.${timestamp}.${payload}`);
  const matched = signatures.split(" ").some((entry) => {
    const [version, signature] = entry.split(",", 2);
    if (version !== "v1" || !signature) return false;
    const given = decode(signature);
    return given !== undefined && timingSafeEqual(given, expected);
  });
  if (!matched) throw new WebhookVerificationError("No matching signature.");

  try {
    return JSON.parse(payload) as WebhookEvent;
  } catch {
    throw new WebhookVerificationError("The payload is not JSON.");
  }
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

function checkTimestamp(timestamp: string, options: VerifyOptions): void {
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError("Invalid webhook-timestamp.");
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const tolerance = options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  const age = now - Number(timestamp);
  if (age > tolerance) throw new WebhookVerificationError("Webhook timestamp too old.");
  if (age < -tolerance) throw new WebhookVerificationError("Webhook timestamp too new.");
}

function secretKey(secret: string): Uint8Array<ArrayBuffer> {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const bytes = decode(encoded);
  if (!bytes || bytes.length === 0) throw new WebhookVerificationError("The secret is not whsec_<base64>.");
  return bytes;
}

async function sign(key: Uint8Array<ArrayBuffer>, content: string): Promise<Uint8Array> {
  const hmac = { name: "HMAC", hash: "SHA-256" };
  const cryptoKey = await globalThis.crypto.subtle.importKey("raw", key, hmac, false, ["sign"]);
  return new Uint8Array(await globalThis.crypto.subtle.sign("HMAC", cryptoKey, new TextEncoder().encode(content)));
}

function decode(base64: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return fromBase64(base64) as Uint8Array<ArrayBuffer>;
  } catch {
    return undefined;
  }
}

/** Compares without an early exit, so timing does not reveal how many bytes matched. */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
