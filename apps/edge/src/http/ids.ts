// Object ids: prefix + 10 characters of millisecond time + 16 random characters, all in
// lowercase Crockford base32. Fixed width makes `ORDER BY id` creation order, which is what
// cursor pagination (`after=<id>`) relies on.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

function timePart(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

export function randomPart(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => ALPHABET[b & 31]).join("");
}

export function newId(prefix: string, now = Date.now()): string {
  return prefix + timePart(now) + randomPart(16);
}

export function unixSeconds(ms = Date.now()): number {
  return Math.floor(ms / 1000);
}
