// Standard Webhooks signing: HMAC-SHA256 keyed by the base64-decoded part of the `whsec_`
// secret, over `{webhook-id}.{webhook-timestamp}.{body}`, sent as `v1,<base64>`.
import { SECRET_PREFIXES, WEBHOOK_SIGNATURE_VERSION, webhookSignedContent } from "@mmgpt/schema";

export async function signWebhook(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const encoded = secret.startsWith(SECRET_PREFIXES.webhookSecret)
    ? secret.slice(SECRET_PREFIXES.webhookSecret.length)
    : secret;
  const key = await crypto.subtle.importKey(
    "raw",
    Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0)),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    new TextEncoder().encode(webhookSignedContent(id, timestamp, body)),
  );
  return `${WEBHOOK_SIGNATURE_VERSION},${btoa(String.fromCharCode(...new Uint8Array(mac)))}`;
}
