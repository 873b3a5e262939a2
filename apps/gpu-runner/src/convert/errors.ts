// The one error type of the converter. Every failure names the file, tensor or pickle item it
// is about; `code` lets callers and tests tell the failure kinds apart without parsing text,
// and `problems` carries every finding when several were collected (name/shape checks).

export type ConvertErrorCode =
  | "bad_argument"
  | "not_found"
  | "io_error"
  /** Not a zip, or a zip this reader cannot handle (compressed, encrypted, multi-disk). */
  | "bad_zip"
  /** The file ends before a structure it announces (central directory, entry data). */
  | "truncated"
  /** The pickle references a global or uses an opcode outside the state-dict allow-list. */
  | "unsafe_pickle"
  /** The pickle is malformed (stack underflow, bad memo, no STOP, …). */
  | "bad_pickle"
  /** Parsed fine, but is not a checkpoint we can read (no tensors, legacy format, TorchScript). */
  | "not_a_checkpoint"
  /** A tensor we cannot read as stored (non-contiguous, unknown storage dtype, out of bounds). */
  | "unsupported_tensor"
  | "missing_shard"
  | "missing_tensor"
  | "unexpected_tensor"
  | "shape_mismatch"
  /** Two keys for the same tensor (OpenFlamingo's aliased cross-attention) hold different values. */
  | "alias_mismatch"
  /** No source gives the resized (config vocab) embedding or lm_head rows. */
  | "vocab_mismatch"
  | "missing_lora_target"
  | "manifest_mismatch"
  /** Several problems of different kinds; see `problems`. */
  | "invalid_checkpoint";

export class ConvertError extends Error {
  override readonly name = "ConvertError";
  readonly code: ConvertErrorCode;
  readonly problems: string[];

  constructor(code: ConvertErrorCode, message: string, options: { cause?: unknown; problems?: string[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.problems = options.problems ?? [];
  }
}
