// Only the edge may call the runner: `Authorization: Bearer <RUNNER_SECRET>`, compared in
// constant time (both sides hashed first so lengths never leak through timing either).
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { EngineError } from "../engine/errors.js";

const digest = (s: string) => createHash("sha256").update(s).digest();

export function bearerSecret(secret: string): MiddlewareHandler {
  if (secret.length < 16) throw new Error("bearerSecret: the secret must be at least 16 characters");
  const expected = digest(secret);
  return async function runnerAuth(c, next) {
    const header = c.req.header("authorization") ?? "";
    const token = header.startsWith("Bearer ") ? header.slice(7) : "";
    if (!timingSafeEqual(digest(token), expected))
      throw new EngineError("unauthorized", "missing or wrong runner secret");
    await next();
  };
}
