// Every route group is an OpenAPIHono built here, so validation comes from the contract's
// route objects and a failure always becomes the same 400 envelope (param = failing path).
import { OpenAPIHono } from "@hono/zod-openapi";
import { describeIssues } from "@mmgpt/schema";
import type { AppEnv } from "../env";
import { ApiError } from "../errors/api-error";

export function newRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const { message, param } = describeIssues(result.error.issues);
      throw new ApiError("invalid_request_error", message, { param });
    },
  });
}
