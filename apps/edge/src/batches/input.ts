// Batch input: every request line validated (the batch line schema, with chat's image limits,
// then the same message checks as chat: turn order), custom_ids unique, at most
// LIMITS.maxBatchRequests. A JSONL file is scanned as a byte stream, so each request is kept as
// its byte range in the file (the consumer reads just that range); inline requests are written
// as a JSONL file first, so both kinds run the same way. Problems are reported with 1-based
// line numbers (blank lines count as lines but are not requests).
import { BatchRequestLine, describeIssues, LIMITS } from "@mmgpt/schema";
import { toTurns } from "../chat/turns";
import { ApiError } from "../errors/api-error";
import type { RequestRef } from "./batch-sql";

/** Problems listed in one 400 answer; scanning stops after this many. */
export const MAX_REPORTED_PROBLEMS = 20;

export interface LineProblem {
  line: number;
  /** Field inside the line (`body.messages.0.role`), if any. */
  param: string | null;
  message: string;
}

export class LineChecker {
  readonly refs: RequestRef[] = [];
  readonly problems: LineProblem[] = [];
  private readonly seen = new Map<string, number>();

  get full(): boolean {
    return this.problems.length >= MAX_REPORTED_PROBLEMS;
  }

  /** Checks one parsed line; `offset`/`length` locate it in the input file. */
  check(line: number, value: unknown, offset: number, length: number): void {
    const parsed = BatchRequestLine.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const { param } = describeIssues(parsed.error.issues);
      this.problems.push({ line, param, message: issue?.message ?? "invalid" });
      return;
    }
    const request = parsed.data;
    try {
      toTurns(request.body.messages);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.problems.push({ line, param: error.param ? `body.${error.param}` : "body", message: error.message });
      return;
    }
    const earlier = this.seen.get(request.custom_id);
    if (earlier !== undefined) {
      this.problems.push({ line, param: "custom_id", message: `"${request.custom_id}" is also on line ${earlier}` });
      return;
    }
    if (this.refs.length >= LIMITS.maxBatchRequests) {
      this.problems.push({ line, param: null, message: `more than ${LIMITS.maxBatchRequests} requests in one batch` });
      return;
    }
    this.seen.set(request.custom_id, line);
    this.refs.push({ line, custom_id: request.custom_id, offset, length });
  }
}

/** The 400 for an input with problems: `param` is the first bad line (`line 3`). */
export function inputError(problems: LineProblem[]): ApiError {
  const shown = problems.map((p) => `line ${p.line}: ${p.param ? `${p.param}: ` : ""}${p.message}`).join("; ");
  const more = problems.length >= MAX_REPORTED_PROBLEMS ? ` (the first ${MAX_REPORTED_PROBLEMS})` : "";
  return new ApiError("invalid_request_error", `The batch input has invalid lines${more}: ${shown}`, {
    param: `line ${problems[0]!.line}`,
  });
}

/** Splits a byte stream on "\n", yielding each line's bytes and byte offset. */
export async function* byteLines(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<{ bytes: Uint8Array; offset: number }> {
  let carry: Uint8Array[] = [];
  let carried = 0;
  let offset = 0;
  const take = (tail: Uint8Array): Uint8Array => {
    if (carry.length === 0) return tail;
    const out = new Uint8Array(carried + tail.length);
    let at = 0;
    for (const part of carry) {
      out.set(part, at);
      at += part.length;
    }
    out.set(tail, at);
    carry = [];
    carried = 0;
    return out;
  };
  for await (const chunk of stream) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const bytes = take(chunk.subarray(start, nl));
      yield { bytes, offset };
      offset += bytes.length + 1;
      start = nl + 1;
    }
    if (start < chunk.length) {
      carry.push(chunk.slice(start));
      carried += chunk.length - start;
    }
  }
  if (carried > 0) yield { bytes: take(new Uint8Array()), offset };
}

/** Validates a JSONL input file; throws the 400 with line numbers, or returns the requests. */
export async function scanJsonl(stream: ReadableStream<Uint8Array>): Promise<RequestRef[]> {
  const checker = new LineChecker();
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let line = 0;
  for await (const { bytes, offset } of byteLines(stream)) {
    line++;
    let value: unknown;
    try {
      const text = decoder.decode(bytes);
      if (text.trim() === "") continue;
      value = JSON.parse(text);
    } catch {
      checker.problems.push({ line, param: null, message: "not a JSON object (each line must be one JSON request)" });
      if (checker.full) break;
      continue;
    }
    checker.check(line, value, offset, bytes.length);
    if (checker.full) break;
  }
  if (checker.problems.length) throw inputError(checker.problems);
  if (checker.refs.length === 0) {
    throw new ApiError("invalid_request_error", "The input file has no requests.", { param: "input_file_id" });
  }
  return checker.refs;
}

/**
 * Inline requests (already schema-checked by the route) → JSONL bytes and their byte ranges.
 * Message problems are reported as `requests.<i>.body.…`, like the route's own validation.
 */
export function encodeInline(requests: readonly unknown[]): { bytes: Uint8Array; refs: RequestRef[] } {
  const encoder = new TextEncoder();
  const checker = new LineChecker();
  const parts: Uint8Array[] = [];
  let offset = 0;
  requests.forEach((request, i) => {
    const bytes = encoder.encode(JSON.stringify(request));
    checker.check(i + 1, request, offset, bytes.length);
    parts.push(bytes, encoder.encode("\n"));
    offset += bytes.length + 1;
  });
  const problem = checker.problems[0];
  if (problem) {
    const param = `requests.${problem.line - 1}${problem.param ? `.${problem.param}` : ""}`;
    throw new ApiError("invalid_request_error", `${param}: ${problem.message}`, { param });
  }
  const bytes = new Uint8Array(offset);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return { bytes, refs: checker.refs };
}
