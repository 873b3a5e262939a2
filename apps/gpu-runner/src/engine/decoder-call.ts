// Every decoder call is built here: the engine's prefill chunks and decode steps, beam steps,
// one sequence on its own (SequenceState: the graph-vs-reference tests) and the benchmarks'
// bare loops. A call runs rows [first, first + n) of a KvPool: each row's new tokens from its
// valid length on, the images those tokens attend to, and the new positions' K/V written back.
import type { DecodeBatch, DecodeResult, ImageKv, ModelRuntime } from "../model/runtime.js";
import type { KvPool } from "./kv-pool.js";
import { buildMediaInputs } from "./media-batch.js";

export interface DecoderRow {
  /** The row's new tokens; every row of a call has as many. */
  tokens: readonly number[];
  /** The images of the row's sequence, in `<image>` order. */
  images: readonly ImageKv[];
  /** Image index (1-based, 0 = none) of each new token, in that numbering. */
  times: ArrayLike<number>;
}

export interface CallOptions {
  /** Logits kept per row, for its last positions (default 1). */
  keep?: number;
  /** See DecodeBatch.reuseOutputs: the caller reads the result before the next such call. */
  reuseOutputs?: boolean;
  /** See DecodeBatch.greedy. */
  greedy?: boolean;
}

/**
 * The decoder inputs for `rows` at rows `first`… of `pool`, each from its valid length on. Grows
 * the pool first when the new positions do not fit (the view handed to the graph must be final).
 */
export function decoderCall(
  rt: ModelRuntime,
  pool: KvPool,
  first: number,
  rows: readonly DecoderRow[],
  opts: CallOptions = {},
): DecodeBatch {
  const B = rows.length;
  const S = rows[0].tokens.length;
  const past = pool.lengths.subarray(first, first + B);
  pool.ensure(Math.max(...past) + S);
  const inputIds = new BigInt64Array(B * S);
  const positionIds = new BigInt64Array(B * S);
  rows.forEach((r, b) => {
    if (r.tokens.length !== S) throw new Error(`decoder call: row ${b} has ${r.tokens.length} tokens, not ${S}`);
    for (let s = 0; s < S; s++) {
      inputIds[b * S + s] = BigInt(r.tokens[s]);
      positionIds[b * S + s] = BigInt(past[b] + s);
    }
  });
  return {
    batch: B,
    seq: S,
    inputIds,
    positionIds,
    hasMedia: Float32Array.from(rows, (r) => (r.images.length ? 1 : 0)),
    numLogitsToKeep: opts.keep ?? 1,
    ...buildMediaInputs(rt.config, rt.xLayers, rows, S),
    cache: {
      ...pool.view(first, B),
      capacity: pool.capacity,
      pastLengths: BigInt64Array.from(past, BigInt),
    },
    reuseOutputs: opts.reuseOutputs,
    greedy: opts.greedy,
  };
}

/** Runs a decoderCall and appends the new positions to the rows it ran (a failed call appends nothing). */
export async function runDecoder(
  rt: ModelRuntime,
  pool: KvPool,
  first: number,
  rows: readonly DecoderRow[],
  opts: CallOptions = {},
): Promise<DecodeResult> {
  const call = decoderCall(rt, pool, first, rows, opts);
  const out = await rt.decode(call);
  pool.append(first, rows.length, call.seq, out.presentKeys, out.presentValues);
  return out;
}
