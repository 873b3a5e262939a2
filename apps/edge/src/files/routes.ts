// /v1/files: upload (multipart), list, metadata, content, delete. Every lookup is scoped to
// the caller's account; another account's file id is a plain 404.
import { deleteFileRoute, getFileContentRoute, getFileRoute, listFilesRoute, uploadFileRoute } from "@mmgpt/schema";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ApiError, notFound } from "../errors/api-error";
import { toPage } from "../http/pagination";
import { newRouter } from "../http/router";
import { deleteFileRow, fileKey, findFile, listFiles, toFileObject } from "./file-store";
import { storeUpload } from "./upload";

/**
 * Guard of POST /v1/files, mounted by the app before anything reads the body (idempotency
 * hashes it): multipart only. The size cap is the app's body limit (http/body-limit.ts).
 */
export function uploadGuard(): MiddlewareHandler<AppEnv> {
  return async function uploadGuardMiddleware(c, next) {
    if (c.req.method !== "POST" || c.req.path !== "/v1/files") return next();
    if (!(c.req.header("content-type") ?? "").toLowerCase().startsWith("multipart/form-data")) {
      throw new ApiError("unsupported_media_type", "Upload files as multipart/form-data (fields `file`, `purpose`).");
    }
    return next();
  };
}

export const fileRoutes = newRouter();

fileRoutes
  .openapi(uploadFileRoute, async (c) => {
    const form = c.req.valid("form");
    // zod types its File from lib.dom; at runtime it is the Workers File from parseBody.
    const row = await storeUpload(c.env, c.get("principal").accountId, form.file as unknown as File, form.purpose);
    return c.json(toFileObject(row), 200);
  })
  .openapi(listFilesRoute, async (c) => {
    const query = c.req.valid("query");
    return c.json(
      toPage(await listFiles(c.env.DB, c.get("principal").accountId, query), query.limit, toFileObject),
      200,
    );
  })
  .openapi(getFileRoute, async (c) => {
    const row = await findFile(c.env.DB, c.get("principal").accountId, c.req.valid("param").file_id);
    if (!row) throw notFound("file", "file_id");
    return c.json(toFileObject(row), 200);
  })
  .openapi(getFileContentRoute, async (c) => {
    const { accountId } = c.get("principal");
    const row = await findFile(c.env.DB, accountId, c.req.valid("param").file_id);
    const object = row ? await c.env.BUCKET.get(fileKey(accountId, row.id)) : null;
    if (!row || !object) throw notFound("file", "file_id");
    c.header("content-type", row.content_type);
    c.header("content-length", String(row.bytes));
    // Served bytes are user content: never let a browser reinterpret or render them inline.
    c.header("x-content-type-options", "nosniff");
    c.header("content-disposition", `attachment; filename="${row.filename.replace(/[^\w.-]/g, "_")}"`);
    return c.body(object.body, 200);
  })
  .openapi(deleteFileRoute, async (c) => {
    const { accountId } = c.get("principal");
    const fileId = c.req.valid("param").file_id;
    if (!(await deleteFileRow(c.env.DB, accountId, fileId))) throw notFound("file", "file_id");
    // The preprocessed pixels stay: they are shared by hash and past messages still use them.
    await c.env.BUCKET.delete(fileKey(accountId, fileId));
    return c.json({ id: fileId, object: "file" as const, deleted: true as const }, 200);
  });
