// The tenant key of an account: what the runners see instead of the account id. Runners scope
// every cache (KV prefixes, images, image features, tokenization) to it, so one account cannot
// learn from cache hits what another one sent; it is an HMAC under an edge-only secret
// (TENANT_KEY_SECRET), so a runner cannot tell which account a key belongs to.
import { base64url } from "../auth/secrets";

/** Domain label: the same secret material may key other things (webhook secrets' HKDF). */
const LABEL = "mmgpt tenant key v1\n";
/** Keys this isolate has derived (bounded; the oldest go first). */
const known = new Map<string, Promise<string>>();
const MAX_KNOWN = 4096;

async function derive(secret: string, accountId: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(LABEL + accountId));
  return base64url(new Uint8Array(mac)); // 43 characters of [A-Za-z0-9_-]: a protocol TenantKey
}

export function tenantKey(secret: string, accountId: string): Promise<string> {
  const id = `${secret}\n${accountId}`;
  let key = known.get(id);
  if (!key) {
    if (known.size >= MAX_KNOWN) known.delete(known.keys().next().value as string);
    key = derive(secret, accountId);
    known.set(id, key);
    key.catch(() => known.delete(id));
  }
  return key;
}
