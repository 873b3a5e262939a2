// Rendezvous (highest random weight) hashing: every runner gets a score for a key and the
// key goes to the highest. Adding or removing a runner only moves the keys it wins or held,
// and the descending order is the failover order.

/** FNV-1a over UTF-16 code units, finished with murmur3's fmix32 for avalanche. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Runners in preference order for `key`: the winner first, then the next best, and so on. */
export function rendezvousOrder(runners: readonly string[], key: string): string[] {
  return runners
    .map((runner) => ({ runner, score: hash32(`${runner}\u0000${key}`) }))
    .sort((a, b) => b.score - a.score || (a.runner < b.runner ? -1 : 1))
    .map((s) => s.runner);
}
