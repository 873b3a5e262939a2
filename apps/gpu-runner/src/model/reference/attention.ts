// Scaled dot-product attention shared by all four attentions of the model (CLIP self-attention,
// perceiver, gated cross-attention, LLaMA causal GQA). Who may attend to whom is a predicate,
// so each caller states its mask in the same words as the spec.
import { softmaxInPlace } from "./activations.js";

export interface AttentionShape {
  /** Query rows. */
  nq: number;
  /** Key/value rows. */
  nk: number;
  heads: number;
  /** Heads of k and v; query head h reads kv head floor(h / (heads / kvHeads)) (GQA, HF repeat_kv). */
  kvHeads: number;
  dimHead: number;
  /** Multiplies q·k, usually dimHead^-0.5. */
  scale: number;
  /** Whether query row i may attend to key row j; omit for full attention. */
  allowed?: (i: number, j: number) => boolean;
}

/**
 * q [nq × heads·dimHead], k and v [nk × kvHeads·dimHead] → [nq × heads·dimHead].
 * A query row with no allowed key gets an all-zero output (Flamingo's text_time 0 rule).
 */
export function attention(q: Float64Array, k: Float64Array, v: Float64Array, s: AttentionShape): Float64Array {
  const { nq, nk, heads, kvHeads, dimHead, scale, allowed } = s;
  if (heads % kvHeads !== 0) throw new Error(`attention: ${heads} heads not a multiple of ${kvHeads} kv heads`);
  const qw = heads * dimHead;
  const kw = kvHeads * dimHead;
  if (q.length !== nq * qw || k.length !== nk * kw || v.length !== nk * kw) {
    throw new Error("attention: q/k/v sizes do not match the shape");
  }
  const group = heads / kvHeads;
  const out = new Float64Array(nq * qw);
  for (let i = 0; i < nq; i++) {
    const keys: number[] = [];
    for (let j = 0; j < nk; j++) if (!allowed || allowed(i, j)) keys.push(j);
    if (keys.length === 0) continue;
    const p = new Float64Array(keys.length);
    for (let h = 0; h < heads; h++) {
      const qo = i * qw + h * dimHead;
      const ko = Math.floor(h / group) * dimHead;
      keys.forEach((j, n) => {
        let dot = 0;
        for (let d = 0; d < dimHead; d++) dot += q[qo + d] * k[j * kw + ko + d];
        p[n] = dot * scale;
      });
      softmaxInPlace(p);
      keys.forEach((j, n) => {
        for (let d = 0; d < dimHead; d++) out[qo + d] += p[n] * v[j * kw + ko + d];
      });
    }
  }
  return out;
}
