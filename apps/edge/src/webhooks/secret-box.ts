// Signing secrets at rest: AES-256-GCM with a key derived by HKDF-SHA256 from the key material
// (config.ts: WEBHOOK_SECRET_KEY, or ADMIN_TOKEN when it is unset), the endpoint id as associated
// data (a ciphertext copied to another row does not open). Stored as `v1.<iv>.<ciphertext>`
// in base64. Changing the key material makes stored secrets unreadable: recreate endpoints.

const INFO = new TextEncoder().encode("mmgpt webhook signing secrets v1");
const SALT = new TextEncoder().encode("mmgpt");

async function boxKey(material: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(material), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: SALT, info: INFO },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

function b64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function unb64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export async function sealSecret(keyMaterial: string, endpointId: string, secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(endpointId) },
    await boxKey(keyMaterial),
    new TextEncoder().encode(secret),
  );
  return `v1.${b64(iv)}.${b64(new Uint8Array(ciphertext))}`;
}

export async function openSecret(keyMaterial: string, endpointId: string, sealed: string): Promise<string> {
  const [version, iv, ciphertext] = sealed.split(".");
  if (version !== "v1" || !iv || !ciphertext) throw new Error("unknown webhook secret format");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: unb64(iv), additionalData: new TextEncoder().encode(endpointId) },
    await boxKey(keyMaterial),
    unb64(ciphertext),
  );
  return new TextDecoder().decode(plain);
}

/** A new `whsec_` secret: 32 random bytes in base64. */
export function newWebhookSecret(prefix: string): string {
  return prefix + b64(crypto.getRandomValues(new Uint8Array(32)));
}
