// Signing secrets at rest: AES-256-GCM with a key derived by HKDF-SHA256 from key material of
// its own (config.ts: WEBHOOK_SECRET_KEY — never the admin token, so rotating one does not touch
// the other), the endpoint id as associated data (a ciphertext copied to another row does not
// open). Stored as `v2.<key id>.<iv>.<ciphertext>` (base64); the key id (a hash prefix of the
// material) says which key sealed it. Rotation: the new key becomes WEBHOOK_SECRET_KEY and the
// old one goes to WEBHOOK_SECRET_KEY_PREVIOUS; secrets sealed with a previous key still open,
// and are sealed again with the current one on their next delivery and by the hourly cron
// (resealSecrets), after which the previous key can be dropped. `v1.<iv>.<ciphertext>` (no key
// id, sealed before rotation existed) is tried with every key.

export interface SecretKeys {
  current: string;
  previous: string[];
}

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

/** 8 hex digits naming a key: enough to pick among a few, too short to say anything about it. */
export async function keyId(material: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`mmgpt webhook key id\0${material}`));
  return Array.from(new Uint8Array(digest).slice(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
}

function b64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function unb64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export async function sealSecret(keys: SecretKeys, endpointId: string, secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(endpointId) },
    await boxKey(keys.current),
    new TextEncoder().encode(secret),
  );
  return `v2.${await keyId(keys.current)}.${b64(iv)}.${b64(new Uint8Array(ciphertext))}`;
}

async function decrypt(material: string, endpointId: string, iv: string, ciphertext: string): Promise<string> {
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: unb64(iv), additionalData: new TextEncoder().encode(endpointId) },
    await boxKey(material),
    unb64(ciphertext),
  );
  return new TextDecoder().decode(plain);
}

/**
 * Opens a sealed secret with whichever configured key sealed it; `stale` when that was not the
 * current key (seal it again). Throws when no configured key opens it.
 */
export async function openSecret(
  keys: SecretKeys,
  endpointId: string,
  sealed: string,
): Promise<{ secret: string; stale: boolean }> {
  const fields = sealed.split(".");
  const all = [keys.current, ...keys.previous];
  if (fields[0] === "v2" && fields.length === 4) {
    const [, id, iv, ciphertext] = fields;
    for (const material of all) {
      if ((await keyId(material)) !== id) continue;
      return { secret: await decrypt(material, endpointId, iv, ciphertext), stale: material !== keys.current };
    }
    throw new Error("the key that sealed this webhook secret is not configured");
  }
  if (fields[0] === "v1" && fields.length === 3) {
    for (const material of all) {
      const secret = await decrypt(material, endpointId, fields[1], fields[2]).catch(() => null);
      if (secret !== null) return { secret, stale: true };
    }
    throw new Error("no configured key opens this webhook secret");
  }
  throw new Error("unknown webhook secret format");
}

/** A new `whsec_` secret: 32 random bytes in base64. */
export function newWebhookSecret(prefix: string): string {
  return prefix + b64(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * Seals again, with the current key, up to `limit` endpoints' secrets sealed with another key
 * (hourly cron). Returns how many were resealed and how many no configured key opens.
 */
export async function resealSecrets(
  db: D1Database,
  keys: SecretKeys,
  limit = 200,
): Promise<{ resealed: number; unreadable: number }> {
  const { results } = await db
    .prepare("SELECT id, secret FROM webhook_endpoints WHERE secret NOT LIKE ? LIMIT ?")
    .bind(`v2.${await keyId(keys.current)}.%`, limit)
    .all<{ id: string; secret: string }>();
  let resealed = 0;
  let unreadable = 0;
  for (const row of results) {
    const opened = await openSecret(keys, row.id, row.secret).catch(() => null);
    if (!opened) {
      unreadable++;
      continue;
    }
    await replaceSealed(db, row.id, row.secret, await sealSecret(keys, row.id, opened.secret));
    resealed++;
  }
  if (unreadable) console.error(`webhooks: ${unreadable} endpoint secrets open with no configured key`);
  return { resealed, unreadable };
}

/** Stores a resealed secret unless the row changed meanwhile (compare and swap). */
export async function replaceSealed(db: D1Database, endpointId: string, before: string, after: string): Promise<void> {
  await db
    .prepare("UPDATE webhook_endpoints SET secret = ? WHERE id = ? AND secret = ?")
    .bind(after, endpointId, before)
    .run();
}
