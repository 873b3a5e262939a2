// The one error type of the weights layer. Every failure names the file or tensor it is
// about and carries a machine-readable `code`, so the runner can render it without parsing.
// `problems` lists each individual finding when several were collected (validation).

export type WeightsErrorCode =
  | "not_found"
  | "io_error"
  | "truncated"
  | "bad_header"
  | "unsupported_dtype"
  | "bad_offsets"
  | "overlapping_tensors"
  | "duplicate_tensor"
  | "missing_tensor"
  | "unexpected_tensor"
  | "shape_mismatch"
  | "bad_argument"
  /** Several problems of different kinds; see `problems`. */
  | "invalid_weights";

export interface WeightsProblem {
  code: WeightsErrorCode;
  /** Tensor name the problem is about. */
  name: string;
  /** One line, starting with the tensor name. */
  message: string;
}

export class WeightsError extends Error {
  override readonly name = "WeightsError";
  readonly code: WeightsErrorCode;
  readonly problems: WeightsProblem[];

  constructor(code: WeightsErrorCode, message: string, options: { cause?: unknown; problems?: WeightsProblem[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.problems = options.problems ?? [];
  }
}
