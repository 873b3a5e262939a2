// What every checkpoint reader hands the converter: named tensors with dtype and shape,
// read one at a time on demand. Readers report per-tensor problems (non-contiguous, out of
// bounds) up front in `problem`, so a conversion fails before it writes anything.

export interface SourceTensor {
  /** Name as stored in the checkpoint. */
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly byteLength: number;
  /** Equal identities ⇒ the same bytes (aliased keys sharing one storage). */
  readonly identity: string;
  /** Why this tensor cannot be read, when it cannot. */
  readonly problem?: string;
  /** The values widened to f32 (exact for F16/BF16). */
  read(): Float32Array;
}

export interface TensorSource {
  /** File or directory, for messages. */
  readonly path: string;
  readonly tensors: Map<string, SourceTensor>;
  /** The non-tensor part of the checkpoint (torch: the unpickled root), when there is one. */
  readonly root?: unknown;
  close(): void;
}
