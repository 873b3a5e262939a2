// Numerically stable log-softmax of one logits row: log p_i = x_i − (max + log Σ exp(x_j − max)).
// Beam search scores hypotheses by summed log-probabilities (HF applies log_softmax before its
// logits processors in beam search); logprobs need only the normaliser.

/** log Σ exp(x_j): max + log Σ exp(x_j − max); −∞ when every token is masked. */
export function logNormalizer(logits: Float32Array): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return max + Math.log(sum);
}

/** Writes log-probabilities into `out` (allocated when omitted) and returns it. */
export function logSoftmax(logits: Float32Array, out: Float32Array = new Float32Array(logits.length)): Float32Array {
  const logZ = logNormalizer(logits);
  // Every token masked: there is no distribution; report every token as impossible.
  if (logZ === -Infinity) return out.fill(-Infinity);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i] - logZ;
  return out;
}
