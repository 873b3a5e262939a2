// Compiled grammars for constrained decoding, one compiler per tokenizer: a response format is
// compiled once (XGrammar precomputes, per grammar state, which vocab tokens are always or never
// allowed, so a decode step only resolves the uncertain rest) and kept in an LRU keyed by the
// format's hash, so a client sending the same schema again skips the compile.
import { createHash } from "node:crypto";
import type { OutputFormat } from "@mmgpt/schema/internal";
import type { Tokenizer } from "../../tokenizer/index.js";
import { endIdsOf } from "../stop/finish.js";
import { TokenConstraint } from "./token-constraint.js";
import { type CompiledGrammar, type GrammarCompiler, xgrammar } from "./xgrammar.js";

/** Compiled formats kept; each holds per-state token masks (tens of KB to a few MB). */
export const GRAMMAR_CACHE_ENTRIES = 64;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const CONTROL = /[\u0000-\u001f]/;

export class GrammarCache {
  hits = 0;
  misses = 0;
  private readonly entries = new Map<string, Promise<CompiledGrammar>>();

  private constructor(
    private readonly compiler: GrammarCompiler,
    readonly capacity: number,
  ) {}

  /**
   * The grammar compiler for `tokenizer`'s vocab. Some ids are given XGrammar as empty strings,
   * which it never allows:
   * - special ids (BOS, unk, the Flamingo tokens): the detokenizer skips them, so letting the
   *   grammar count "<image>" as seven characters of a string would break its bounds;
   * - pieces that decode to a control character (U+0000–U+001F, e.g. <0x09>): compact JSON
   *   never contains one raw, but XGrammar's JSON strings accept all but \r and \n unescaped.
   * EOS and <|endofchunk|> are the stop tokens, allowed once the document is complete.
   */
  static async create(tokenizer: Tokenizer, capacity = GRAMMAR_CACHE_ENTRIES): Promise<GrammarCache> {
    const xg = xgrammar();
    const vocab = Array.from({ length: tokenizer.vocabSize }, (_, id) =>
      tokenizer.isSpecial(id) || CONTROL.test(tokenizer.decode([id])) ? "" : tokenizer.idToPiece(id),
    );
    const stops = endIdsOf(tokenizer.special);
    // byte_fallback: "<0xNN>" pieces are raw bytes and "▁" is a space, as our decoder reads them.
    // No prefix-space handling: the decoder's dropping of the first piece's "▁" only ever removes
    // whitespace in front of the document, which JSON ignores.
    const info = await xg.TokenizerInfo.createTokenizerInfo(vocab, "byte_fallback", false, vocab.length, stops);
    // XGrammar's own cache is unbounded; ours is an LRU.
    return new GrammarCache(await xg.GrammarCompiler.createGrammarCompiler(info, false), capacity);
  }

  /** A fresh grammar state for one sequence constrained to `format`. */
  async constrain(format: OutputFormat): Promise<TokenConstraint> {
    // Nothing but microtasks between the lookup and the matcher's creation: an entry evicted
    // meanwhile is disposed on a later macrotask (see compile), after the matcher holds it.
    return TokenConstraint.create(await this.compile(format));
  }

  /** The compiled grammar of `format` (compiled on first use). */
  compile(format: OutputFormat): Promise<CompiledGrammar> {
    const key = createHash("sha256").update(JSON.stringify(format)).digest("hex");
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      // Map order is insertion order: re-inserting makes this entry the most recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    this.misses++;
    const compiled = this.compileNow(format);
    // A failed compile is not cached: the next request gets the same error, freshly.
    compiled.catch(() => this.entries.get(key) === compiled && this.entries.delete(key));
    this.entries.set(key, compiled);
    for (const [k, evicted] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(k);
      // WASM objects are not garbage-collected: the wrapper is deleted explicitly. Matchers hold
      // their own reference (XGrammar shares the grammar), so running jobs are unaffected; the
      // delay lets a constrain() that already looked this entry up create its matcher first.
      setImmediate(() => evicted.then((g) => g.dispose()).catch(() => {}));
    }
    return compiled;
  }

  get size(): number {
    return this.entries.size;
  }

  private compileNow(format: OutputFormat): Promise<CompiledGrammar> {
    // Compact JSON (no indent, ", " and ": " separators, no free whitespace): whitespace runs
    // are where an unconstrained model loops, and they would only cost tokens.
    const compile = (schema: string, strict: boolean) =>
      this.compiler.compileJSONSchema(schema, false, -1, [", ", ": "], strict);
    // json_object: any object, so "strict mode" (no properties beyond the schema's) is off.
    if (format.type === "json_object") return compile('{"type":"object"}', false);
    return compile(JSON.stringify(format.schema), true);
  }
}
