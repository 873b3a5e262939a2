// API key material: `mmgpt_sk_` + base64url of 32 random bytes, shown once; only its SHA-256
// is stored. Comparisons of secrets go through equal-length digests in constant time.
import { SECRET_PREFIXES } from "@mmgpt/schema";

const KEY_BYTES = 32;
/** Characters of the key kept in clear, to recognize it in listings. */
const VISIBLE_PREFIX = SECRET_PREFIXES.apiKey.length + 4;

export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function generateApiKey(): { key: string; prefix: string } {
  const key = SECRET_PREFIXES.apiKey + base64url(crypto.getRandomValues(new Uint8Array(KEY_BYTES)));
  return { key, prefix: key.slice(0, VISIBLE_PREFIX) };
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

export async function hashApiKey(key: string): Promise<string> {
  return Array.from(await digest(key), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Constant-time string equality: hashing first gives equal lengths, so length leaks nothing too. */
export async function secretEquals(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1] : null;
}
