// Middleware factory: `/v1/admin/*` accepts only `Authorization: Bearer <ADMIN_TOKEN>`, compared
// in constant time. Without a configured token the admin API is closed, never open. Failed
// attempts are throttled per client address (failure-throttle.ts).
import type { MiddlewareHandler } from "hono";
import { edgeConfig } from "../config";
import type { AppEnv } from "../env";
import { ApiError } from "../errors/api-error";
import { authFailure, refuseIfThrottled } from "./failure-throttle";
import { bearerToken, secretEquals } from "./secrets";

export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireAdminMiddleware(c, next) {
    // A token shorter than MIN_SECRET_LENGTH never gets here: the configuration refuses it.
    const expected = edgeConfig(c.env).adminToken;
    refuseIfThrottled(c);
    const token = bearerToken(c.req.header("authorization"));
    if (expected === null) {
      throw new ApiError("invalid_api_key", "The admin API is disabled: ADMIN_TOKEN is not configured.");
    }
    if (!token || !(await secretEquals(token, expected))) {
      throw await authFailure(c, new ApiError("invalid_api_key", "Invalid admin token."));
    }
    await next();
  };
}
