// Creating a batch: input validated and located (input.ts) → D1 index → BatchDO (validating)
// → the account's dispatcher, which queues the first lines its share allows (dispatch.ts) →
// in_progress. If queueing fails the batch fails as a whole (its `errors` say why) and its
// batch.failed event is emitted.
import { type Batch, type BatchRequestLine, ID_PREFIXES, type Metadata } from "@mmgpt/schema";
import type { Bindings } from "../env";
import { ApiError, notFound } from "../errors/api-error";
import { fileKey, findFile, insertFile } from "../files/file-store";
import { newId, unixSeconds } from "../http/ids";
import { sha256Hex } from "../images";
import type { RequestRef } from "./batch-sql";
import { dispatchBatch, dropBatch } from "./dispatch";
import { finalizeBatch } from "./finalize";
import { batchStub, insertBatchIndex } from "./index-store";
import { encodeInline, scanJsonl } from "./input";

/** The completion window, "24h". */
export const COMPLETION_WINDOW_SECONDS = 24 * 3600;

export interface BatchInput {
  fileId: string;
  key: string;
  refs: RequestRef[];
}

/** Inline requests are stored as a `batch` file, so they run like a file's lines. */
export async function storeInlineInput(
  env: Pick<Bindings, "DB" | "BUCKET">,
  accountId: string,
  requests: BatchRequestLine[],
): Promise<BatchInput> {
  const { bytes, refs } = encodeInline(requests);
  const fileId = newId(ID_PREFIXES.file);
  const key = fileKey(accountId, fileId);
  await env.BUCKET.put(key, bytes, { httpMetadata: { contentType: "application/jsonl" } });
  await insertFile(env.DB, {
    id: fileId,
    account_id: accountId,
    purpose: "batch",
    filename: "batch_input.jsonl",
    content_type: "application/jsonl",
    bytes: bytes.byteLength,
    sha256: await sha256Hex(bytes),
    width: null,
    height: null,
    preprocessed_sha256: null,
    created_at: unixSeconds(),
  });
  return { fileId, key, refs };
}

export async function readInputFile(
  env: Pick<Bindings, "DB" | "BUCKET">,
  accountId: string,
  fileId: string,
): Promise<BatchInput> {
  const file = await findFile(env.DB, accountId, fileId);
  if (!file) throw notFound("file", "input_file_id");
  if (file.purpose !== "batch") {
    throw new ApiError("invalid_request_error", 'input_file_id: the file\'s purpose must be "batch".', {
      param: "input_file_id",
    });
  }
  const key = fileKey(accountId, fileId);
  const object = await env.BUCKET.get(key);
  if (!object) throw notFound("file", "input_file_id");
  return { fileId, key, refs: await scanJsonl(object.body) };
}

export async function createBatch(
  env: Bindings,
  accountId: string,
  input: BatchInput,
  metadata: Metadata | null,
): Promise<Batch> {
  const id = newId(ID_PREFIXES.batch);
  const createdAt = unixSeconds();
  await insertBatchIndex(env.DB, id, accountId, createdAt);
  const stub = batchStub(env, id);
  await stub.create({
    id,
    account_id: accountId,
    input_file_id: input.fileId,
    input_key: input.key,
    metadata,
    created_at: createdAt,
    expires_at: createdAt + COMPLETION_WINDOW_SECONDS,
    requests: input.refs,
  });
  try {
    await dispatchBatch(
      env,
      accountId,
      id,
      input.refs.map((r) => r.line),
    );
  } catch (error) {
    console.error(`batch ${id}: queueing its requests failed`, error);
    await stub.fail("queue_failed", "The requests could not be queued; create the batch again.");
    await finalizeBatch(env, stub);
    await dropBatch(env, accountId, id).catch((e) => console.error(`batch ${id}: freeing its share failed`, e));
    return (await stub.get())!;
  }
  return (await stub.start())!;
}
