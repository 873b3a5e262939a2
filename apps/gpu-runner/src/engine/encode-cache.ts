// Memoized tokenization for prompt rendering. Every request of a conversation carries its whole
// history, and BPE over ~800 tokens of text took 5–16 ms here: most of a warm turn's time to
// first token on small models, for ids the previous turn already computed. encode is a pure
// function of (text, options), so the cache changes speed, never ids. Entries belong to one
// tenant (forTenant): a faster first token must not tell one account that another one sent
// the same text.
import type { EncodeOptions, Tokenizer } from "../tokenizer/index.js";
import { LruCache } from "./lru-cache.js";

export const ENCODE_CACHE_BYTES = 8 << 20;

interface Entry {
  ids: readonly number[];
  keyLength: number;
}

export interface CachedTokenizer {
  readonly encodeCache: LruCache<string, Entry>;
  /** The tokenizer whose encode reads and fills `tenant`'s entries only. */
  forTenant(tenant: string): Tokenizer;
}

export function withEncodeCache(tokenizer: Tokenizer, budgetBytes = ENCODE_CACHE_BYTES): CachedTokenizer {
  // Rough bytes held: two per UTF-16 code unit of the key, eight per id (a small-integer array).
  const cache = new LruCache<string, Entry>(budgetBytes, (e) => e.keyLength * 2 + e.ids.length * 8);
  return {
    encodeCache: cache,
    forTenant: (tenant) => ({
      vocabSize: tokenizer.vocabSize,
      special: tokenizer.special,
      encode(text: string, options?: EncodeOptions): number[] {
        // A tenant key has no "\n": the key cannot be read as another tenant's.
        const key = `${tenant}\n${options?.addDummyPrefix === false ? "0" : "1"}${text}`;
        let entry = cache.get(key);
        if (!entry) {
          entry = { ids: tokenizer.encode(text, options), keyLength: key.length };
          cache.set(key, entry);
        }
        return entry.ids.slice(); // callers own their array
      },
      minTokens: (text) => tokenizer.minTokens(text),
      decode: (ids) => tokenizer.decode(ids),
      idToPiece: (id) => tokenizer.idToPiece(id),
      isSpecial: (id) => tokenizer.isSpecial(id),
      tokenBytes: (id) => tokenizer.tokenBytes(id),
      createStreamDecoder: () => tokenizer.createStreamDecoder(),
    }),
  };
}
