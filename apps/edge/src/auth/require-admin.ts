// Middleware factory: `/v1/admin/*` accepts only `Authorization: Bearer <ADMIN_TOKEN>`, compared
// in constant time. Without a configured token the admin API is closed, never open.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors/api-error";
import { bearerToken, secretEquals } from "./secrets";

/** Shortest ADMIN_TOKEN accepted: a short token is guessable, so we refuse to use it. */
const MIN_TOKEN_LENGTH = 16;

export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireAdminMiddleware(c, next) {
    const expected = c.env.ADMIN_TOKEN;
    const token = bearerToken(c.req.header("authorization"));
    if (!expected || expected.length < MIN_TOKEN_LENGTH) {
      throw new ApiError("authentication_error", "The admin API is disabled: ADMIN_TOKEN is not configured.");
    }
    if (!token || !(await secretEquals(token, expected))) {
      throw new ApiError("authentication_error", "Invalid admin token.");
    }
    await next();
  };
}
