// What the page says for the API's errors: the envelope message, the wait, the request id.
import { APIConnectionError, APIError, MMGPTError } from "@mmgpt/sdk";
import { describe, expect, it } from "vitest";
import { errorText, retryAfter } from "./error-text";

const envelope = (code: string, message: string) => ({
  error: { type: "invalid_request_error", code, message, param: null, request_id: "req_1" },
});

describe("errorText", () => {
  it("a bad image shows the envelope's message and request id", () => {
    const e = APIError.generate(
      400,
      envelope("invalid_image", "The image format is not supported."),
      undefined,
      new Headers(),
    );
    expect(errorText(e)).toBe("The image format is not supported. (request req_1)");
  });

  it("a 429 says how long to wait", () => {
    const headers = new Headers({ "retry-after": "7" });
    const e = APIError.generate(429, envelope("rate_limit_exceeded", "Rate limit exceeded."), undefined, headers);
    expect(errorText(e)).toBe("Rate limit reached: Rate limit exceeded. Try again in 7 s. (request req_1)");
    const api = APIError.generate(
      429,
      envelope("rate_limit_exceeded", "Rate limit exceeded; retry in 7 s."),
      undefined,
      headers,
    );
    expect(errorText(api)).toBe("Rate limit reached: Rate limit exceeded; retry in 7 s. (request req_1)");
  });

  it("a 503 says the model is unavailable", () => {
    const e = APIError.generate(
      503,
      envelope("runner_unavailable", "No runner is available."),
      undefined,
      new Headers(),
    );
    expect(errorText(e)).toBe("The model is unavailable right now: No runner is available. (request req_1)");
  });

  it("connection failures and client-side errors", () => {
    expect(errorText(new APIConnectionError())).toMatch(/Could not reach the API/);
    expect(errorText(new MMGPTError("Not a JPEG, PNG, WebP or GIF image."))).toBe(
      "Not a JPEG, PNG, WebP or GIF image.",
    );
  });
});

describe("retryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(retryAfter(new Headers({ "retry-after": "2.5" }))).toBe(3);
    expect(retryAfter(new Headers({ "retry-after": new Date(10_000).toUTCString() }), 0)).toBe(10);
    expect(retryAfter(new Headers())).toBeNull();
  });
});
