// /v1/batches: create (inline or from a `batch` file), list, get, cancel, and the result files
// streamed from R2. Every lookup is scoped to the caller's account (another account's batch is
// a 404, for reading and cancelling alike).
import {
  cancelBatchRoute,
  createBatchRoute,
  FINAL_BATCH_STATUSES,
  getBatchErrorsRoute,
  getBatchOutputRoute,
  getBatchRoute,
  JSONL_CONTENT_TYPE,
  listBatchesRoute,
} from "@mmgpt/schema";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { ApiError, notFound } from "../errors/api-error";
import { fileKey } from "../files/file-store";
import { toPage } from "../http/pagination";
import { newRouter } from "../http/router";
import { createBatch, readInputFile, storeInlineInput } from "./create";
import { dropBatch } from "./dispatch";
import { finalizeBatch } from "./finalize";
import { batchStub, listBatchIds, ownsBatch } from "./index-store";

async function ownedStub(c: Context<AppEnv>, id: string) {
  if (!(await ownsBatch(c.env.DB, c.get("principal").accountId, id))) throw notFound("batch", "batch_id");
  return batchStub(c.env, id);
}

async function download(c: Context<AppEnv>, id: string, kind: "output" | "errors") {
  const batch = await (await ownedStub(c, id)).get();
  if (!batch) throw notFound("batch", "batch_id");
  if (!FINAL_BATCH_STATUSES.includes(batch.status)) {
    throw new ApiError("invalid_state", `The batch is ${batch.status}; its files exist once it is final.`);
  }
  const fileId = kind === "output" ? batch.output_file_id : batch.error_file_id;
  const headers = { "content-type": JSONL_CONTENT_TYPE, "x-content-type-options": "nosniff" };
  // No file means no lines of that kind: an empty JSONL document.
  if (!fileId) return c.body(null, 200, { ...headers, "content-length": "0" });
  const object = await c.env.BUCKET.get(fileKey(c.get("principal").accountId, fileId));
  if (!object) throw notFound("batch file", "batch_id");
  // The R2 body is piped through: the file is never held in memory.
  return c.body(object.body, 200, { ...headers, "content-length": String(object.size) });
}

export const batchRoutes = newRouter();

batchRoutes
  .openapi(createBatchRoute, async (c) => {
    const body = c.req.valid("json");
    const { accountId } = c.get("principal");
    const input = body.requests
      ? await storeInlineInput(c.env, accountId, body.requests)
      : await readInputFile(c.env, accountId, body.input_file_id!);
    return c.json(await createBatch(c.env, accountId, input, body.metadata ?? null), 200);
  })
  .openapi(listBatchesRoute, async (c) => {
    const query = c.req.valid("query");
    const ids = await listBatchIds(c.env.DB, c.get("principal").accountId, query);
    // The page's DOs answer in parallel; a batch whose DO never initialised is left out.
    const batches = await Promise.all(ids.slice(0, query.limit).map((id) => batchStub(c.env, id).get()));
    const page = toPage(ids, query.limit, (id) => ({ id }));
    return c.json({ ...page, data: batches.filter((b) => b !== null) }, 200);
  })
  .openapi(getBatchRoute, async (c) => {
    const batch = await (await ownedStub(c, c.req.valid("param").batch_id)).get();
    if (!batch) throw notFound("batch", "batch_id");
    return c.json(batch, 200);
  })
  .openapi(cancelBatchRoute, async (c) => {
    const stub = await ownedStub(c, c.req.valid("param").batch_id);
    const result = await stub.cancel();
    if (result === null) throw notFound("batch", "batch_id");
    if (result === "invalid_state") throw new ApiError("invalid_state", "The batch is finishing or final already.");
    // Its lines still waiting for the account's share never run: the share goes to its other batches.
    await dropBatch(c.env, c.get("principal").accountId, c.req.valid("param").batch_id);
    if (!result.finalize) return c.json(result.batch, 200);
    await finalizeBatch(c.env, stub);
    return c.json((await stub.get())!, 200);
  })
  .openapi(getBatchOutputRoute, (c) => download(c, c.req.valid("param").batch_id, "output") as never)
  .openapi(getBatchErrorsRoute, (c) => download(c, c.req.valid("param").batch_id, "errors") as never);
