// The slot policy, as a pure function of what each slot's row holds: which slot a new request
// takes and where its reusable prefix comes from (llama.cpp's server reuses the slot whose cached
// prompt shares the longest prefix, else the least recently used one; this adds copies).
//   - A request that continues (most of) an idle slot's cache takes that slot.
//   - One that shares only a small part of a long idle cache (the template, a system prompt)
//     takes the least recently used idle slot and a copy of the shared part: long idle caches
//     are not destroyed for the sake of a shared template.
//   - One that shares more with a running row than with any idle one copies from that row.

export interface PrefixCandidate {
  /** The row holding the slot's cache. */
  row: number;
  /** Leading positions of that row a full recompute of the new sequence would reproduce. */
  reusable: number;
  /** Valid positions the row holds. */
  held: number;
  /** In the batch: its row can be copied from, but the slot cannot be taken. */
  running: boolean;
  lastUsed: number;
}

export interface PrefixSource {
  /** The row of the idle slot the request takes. */
  take: number;
  /** Positions of the prefix it starts with (never the whole prompt: the last token is run). */
  reuse: number;
  /** The row those positions are copied from, or null when the taken slot already holds them. */
  copyFrom: number | null;
}

export interface PrefixPolicy {
  /** Tokens of the new request's prompt. */
  promptLength: number;
  /** Off: nothing is reused (only to measure the prefix cache's effect). */
  prefixCache: boolean;
  /** A tail this short (or a quarter of the cache) is cheap to lose: the slot is taken over. */
  shortTail: number;
}

export function choosePrefixSource(candidates: readonly PrefixCandidate[], policy: PrefixPolicy): PrefixSource {
  // The idle slot with the most to reuse (ties: the older) and the least recently used one.
  let best: PrefixCandidate | null = null;
  let lru: PrefixCandidate | null = null;
  // The running row with the most to reuse (ties: the lower row).
  let running: PrefixCandidate | null = null;
  for (const c of candidates) {
    if (c.running) {
      if (c.reusable > (running?.reusable ?? 0)) running = c;
      continue;
    }
    if (!best || c.reusable > best.reusable || (c.reusable === best.reusable && c.lastUsed < best.lastUsed)) best = c;
    if (!lru || c.lastUsed < lru.lastUsed) lru = c;
  }
  if (!best || !lru) throw new Error("choosePrefixSource: no idle slot");
  if (!policy.prefixCache) return { take: best.row, reuse: 0, copyFrom: null };
  // At least the last prompt token is run: its logits pick the first new token.
  const cap = Math.max(0, policy.promptLength - 1);
  const reuse = Math.min(best.reusable, cap);
  if (running && Math.min(running.reusable, cap) > reuse) {
    return { take: lru.row, reuse: Math.min(running.reusable, cap), copyFrom: running.row };
  }
  // Taking the slot costs nothing but the tail of its cache the request does not share.
  const tail = best.held - best.reusable;
  if (reuse <= 0 || tail <= Math.max(policy.shortTail, best.held >> 2) || best === lru) {
    return { take: best.row, reuse, copyFrom: null };
  }
  return { take: lru.row, reuse, copyFrom: best.row };
}
