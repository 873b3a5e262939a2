// The error every failed call throws: the API's error envelope plus the HTTP status.
import type { components } from "./generated/openapi";

type ErrorBody = components["schemas"]["Error"];

export class MmgptError extends Error {
  override readonly name = "MmgptError";
  readonly status: number;
  readonly type: ErrorBody["type"] | "api_error";
  readonly code: ErrorBody["code"] | "unknown";
  readonly param: string | null;
  readonly requestId: string | null;

  constructor(status: number, body: Partial<ErrorBody> | undefined, fallbackRequestId: string | null) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.type = body?.type ?? "api_error";
    this.code = body?.code ?? "unknown";
    this.param = body?.param ?? null;
    this.requestId = body?.request_id ?? fallbackRequestId;
  }

  /** Builds the error from a non-2xx response, whatever its body. */
  static async fromResponse(response: Response): Promise<MmgptError> {
    let body: Partial<ErrorBody> | undefined;
    try {
      body = ((await response.json()) as { error?: Partial<ErrorBody> }).error;
    } catch {
      body = undefined;
    }
    return new MmgptError(response.status, body, response.headers.get("x-request-id"));
  }
}
