// Maps what a runner answered (or failed to) onto the public error codes. The runner's own
// messages are kept where they help the user (context length), hidden where they do not.
import { RunnerErrorBody } from "@mmgpt/schema/internal";
import { ApiError } from "../errors/api-error";

/** Seconds a client should wait when no runner can take the request. */
export const RUNNER_RETRY_AFTER_SECONDS = 5;

export function unavailable(message: string, retryAfter = RUNNER_RETRY_AFTER_SECONDS): ApiError {
  return new ApiError("runner_unavailable", message, { retryAfter });
}

export function runnerTimeout(ms: number): ApiError {
  return new ApiError("runner_timeout", `The model runner did not answer within ${ms} ms.`);
}

/** A streamed reply whose runner fell silent mid-generation (frozen runner). */
export function runnerStalled(ms: number): ApiError {
  return new ApiError("runner_timeout", `The model runner stopped sending for ${ms} ms; the reply was abandoned.`);
}

/** The contract has no 502 code yet: a broken runner answer is `internal_error` sent as 502. */
export function badGateway(message: string): ApiError {
  return new ApiError("internal_error", message, { status: 502 });
}

export function retryAfterOf(response: Response): number {
  const n = Number(response.headers.get("retry-after"));
  return Number.isFinite(n) && n > 0 ? n : RUNNER_RETRY_AFTER_SECONDS;
}

/** An error answer of the runner (status ≥ 400, body already read as text). */
export function mapRunnerError(response: Response, text: string): ApiError {
  const parsed = safeJson(text);
  const body = RunnerErrorBody.safeParse(parsed);
  const code = body.success ? body.data.error.code : undefined;
  const message = body.success ? body.data.error.message : "";
  switch (code) {
    case "context_length_exceeded":
      return new ApiError("context_length_exceeded", message || "The prompt is too long for the model.", {
        param: "messages",
      });
    case "invalid_request":
      return new ApiError("invalid_request_error", message || "The model runner rejected the request.");
    case "model_not_found":
      return new ApiError("model_not_found", message || "No such model.", { param: "model" });
    case "overloaded":
    case "not_ready":
      return unavailable("The model runners are busy; retry later.", retryAfterOf(response));
  }
  if (response.status === 503) return unavailable("The model runner is unavailable.", retryAfterOf(response));
  return badGateway(`The model runner failed (HTTP ${response.status}${code ? `, ${code}` : ""}).`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
