// The allowed-token bitmask of constrained decoding, as XGrammar lays it out: bit id%32 of
// 32-bit word id/32 is set when token `id` may come next.

/** Whether `id` is set in an allowed-token bitmask. */
export function allows(mask: Int32Array, id: number): boolean {
  return ((mask[id >>> 5] >>> (id & 31)) & 1) === 1;
}
