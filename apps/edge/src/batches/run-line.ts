// Runs one batch request through the same chat path as POST /v1/chat/completions and turns
// the outcome into its output line (OpenAI's batch output format). Failures with status >= 500
// (runner unavailable, timeout, bad gateway, internal) and 429 (the account's token limit) are
// transient: the consumer retries them; 4xx (invalid_image, context_length_exceeded…) are final and go to the error file.
import { type BatchOutputLine, BatchRequestLine, errorEnvelope, ID_PREFIXES } from "@mmgpt/schema";
import { completeChat } from "../chat/complete";
import type { Bindings, Deps } from "../env";
import { ApiError } from "../errors/api-error";
import { toApiError } from "../errors/render";
import { newId } from "../http/ids";
import { generationContextFor, statelessOrderFor } from "../runner/context";
import { RequestImages } from "../vision/request-images";
import type { Claim } from "./batch-do";

export interface LineOutcome {
  ok: boolean;
  transient: boolean;
  output: BatchOutputLine;
}

type RunClaim = Extract<Claim, { kind: "run" }>;

function failure(claim: RunClaim, requestId: string, error: ApiError): LineOutcome {
  return {
    ok: false,
    // Over the account's token limit: the line waits for its bucket like a busy runner.
    transient: error.status >= 500 || error.status === 429,
    output: {
      id: newId(ID_PREFIXES.batchRequest),
      custom_id: claim.customId,
      response: {
        status_code: error.status,
        request_id: requestId,
        body: errorEnvelope(error.code, error.message, requestId, error.param),
      },
      error: null,
    },
  };
}

async function readLine(bucket: R2Bucket, claim: RunClaim): Promise<BatchRequestLine> {
  const object = await bucket.get(claim.inputKey, { range: { offset: claim.offset, length: claim.length } });
  if (!object) throw new ApiError("not_found", "The batch's input file was deleted before this request ran.");
  const parsed = BatchRequestLine.safeParse(JSON.parse(await object.text()));
  if (!parsed.success) throw new ApiError("invalid_request_error", "The input line changed since it was validated.");
  return parsed.data;
}

export async function runLine(env: Bindings, deps: Deps, claim: RunClaim): Promise<LineOutcome> {
  const requestId = newId("req_");
  try {
    const request = await readLine(env.BUCKET, claim);
    const completion = await completeChat(
      await generationContextFor(env, deps, requestId, claim.accountId),
      statelessOrderFor(env),
      request.body,
      new RequestImages(env, deps, claim.accountId),
    );
    return {
      ok: true,
      transient: false,
      output: {
        id: newId(ID_PREFIXES.batchRequest),
        custom_id: claim.customId,
        response: { status_code: 200, request_id: requestId, body: completion },
        error: null,
      },
    };
  } catch (error) {
    const apiError = toApiError(error);
    if (apiError.status === 500) console.error(`[${requestId}] batch request failed`, apiError.cause ?? apiError);
    return failure(claim, requestId, apiError);
  }
}
