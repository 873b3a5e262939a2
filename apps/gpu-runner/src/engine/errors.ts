// The engine's one error type. Codes match the internal protocol's runner error codes, so the
// service maps them to HTTP without a second table.
import type { RunnerErrorCode } from "@mmgpt/schema/internal";

export class EngineError extends Error {
  constructor(
    readonly code: RunnerErrorCode,
    message: string,
    /** Extra fields for the error body (e.g. `missing` image hashes). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "EngineError";
  }
}
