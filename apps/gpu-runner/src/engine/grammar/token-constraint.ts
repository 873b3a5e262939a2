// One sequence's grammar state under constrained decoding: which tokens may come next (a bitmask
// over the vocab, bit id%32 of word id/32) and the tokens accepted so far. Each running sequence
// owns one, so rows of a continuous batch advance independently.
import type { CompiledGrammar, GrammarMatcher } from "./xgrammar.js";
import { xgrammar } from "./xgrammar.js";

export class TokenConstraint {
  private next: Int32Array | null = null;
  private pending: Promise<void> | null = null;
  private disposed = false;

  private constructor(private readonly matcher: GrammarMatcher) {}

  static async create(grammar: CompiledGrammar): Promise<TokenConstraint> {
    return new TokenConstraint(await xgrammar().GrammarMatcher.createGrammarMatcher(grammar));
  }

  /** Computes the mask for the next token; call after each accept, before the next `allowed`. */
  refresh(): Promise<void> {
    if (this.next || this.disposed) return Promise.resolve();
    this.pending ??= this.matcher.getNextTokenBitmask().then((mask) => {
      this.next = mask;
      this.pending = null;
    });
    return this.pending;
  }

  /** The tokens allowed next (refresh() must have run since the last accept). */
  get allowed(): Int32Array {
    if (!this.next) throw new Error("token constraint: refresh() was not awaited before sampling");
    return this.next;
  }

  /** Whether any token is allowed next (refresh() must have run since the last accept). */
  get anyAllowed(): boolean {
    return this.allowed.some((word) => word !== 0);
  }

  /** Advances the grammar by a chosen token; a token outside the mask is a sampler bug. */
  accept(id: number): void {
    if (!this.matcher.acceptToken(id)) throw new Error(`token constraint: the grammar cannot accept token ${id}`);
    this.next = null;
  }

  /** The document is complete and a stop token was accepted. */
  get terminated(): boolean {
    return this.matcher.isTerminated();
  }

  /** Frees the matcher's WASM memory (the job is over), after a mask computation in flight. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const free = () => this.matcher.dispose();
    if (this.pending) this.pending.then(free, free);
    else free();
  }
}
