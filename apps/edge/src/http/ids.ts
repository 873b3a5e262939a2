// Object ids: prefix + 10 characters of millisecond time + 16 random characters, all in
// lowercase Crockford base32. Fixed width makes `ORDER BY id` creation order, which is what
// cursor pagination (`after=<id>`) relies on. Within one millisecond — and workerd's clock
// stands still while a request computes, so many ids share one — the random part of the
// next id is the previous one plus one (as ULID's monotonic mode), so order still holds.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

function timePart(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function randomPart(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => ALPHABET[b & 31]).join("");
}

let lastMs = -1;
let lastRandom = "";

/** The base32 string one greater (the 80-bit random part never runs out in practice). */
function increment(s: string): string {
  const digits = Array.from(s, (c) => ALPHABET.indexOf(c));
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === 31) digits[i--] = 0;
  if (i >= 0) digits[i]++;
  return digits.map((d) => ALPHABET[d]).join("");
}

export function newId(prefix: string): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    lastRandom = randomPart(16);
  } else {
    lastRandom = increment(lastRandom); // same millisecond (or the clock stepped back)
  }
  return prefix + timePart(lastMs) + lastRandom;
}

export function unixSeconds(ms = Date.now()): number {
  return Math.floor(ms / 1000);
}
