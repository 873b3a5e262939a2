// POST /internal/v1/generate with the image handshake: the edge sends only hashes; when the
// runner answers 409 image_missing it PUTs those images to that runner and retries once.
// (Chosen over HEAD-first: the common case, images already cached, costs no extra round trip.)
// Every call carries the request's tenant key: a runner keeps images and caches per tenant.
import {
  type GenerateRequest,
  ImageMissingBody,
  INTERNAL_PATHS,
  imagePath,
  OCTET_STREAM_CONTENT_TYPE,
} from "@mmgpt/schema/internal";
import { generationCost } from "../rate-limit/generation-cost";
import { callRunners, type GenerationContext, type RunnerAnswer, type RunnerContext } from "./client";
import { badGateway, mapRunnerError } from "./errors";
import { boundHistory } from "./forward-history";

/** Loads the preprocessed pixels of a hash (from this request's memory or from R2). */
export type ImageSource = (sha256: string) => Promise<Uint8Array>;

async function post(ctx: RunnerContext, order: readonly string[], body: string): Promise<RunnerAnswer> {
  return callRunners(ctx, order, {
    method: "POST",
    path: INTERNAL_PATHS.generate,
    body,
    contentType: "application/json",
  });
}

async function uploadMissing(ctx: RunnerContext, runner: string, missing: string[], images: ImageSource) {
  for (const sha256 of missing) {
    const bytes = await images(sha256);
    const put = await callRunners(ctx, [runner], {
      method: "PUT",
      path: imagePath(sha256),
      body: bytes,
      contentType: OCTET_STREAM_CONTENT_TYPE,
    });
    put.release();
    if (!put.response.ok) throw mapRunnerError(put.response, await put.response.text());
    await put.response.body?.cancel();
  }
}

/**
 * Starts a generation on the first available runner of `order`. Resolves with a 2xx answer
 * (NDJSON stream or JSON result); every runner error is thrown as an ApiError.
 */
export async function startGeneration(
  ctx: GenerationContext,
  order: readonly string[],
  request: GenerateRequest,
  images: ImageSource,
): Promise<RunnerAnswer> {
  // Under truncation "auto", history no context could hold stays here (and is not charged).
  const { request: forwarded, dropped } = boundHistory(request);
  // Every generation, whatever route started it, is charged before a runner sees it.
  await ctx.charge(generationCost(forwarded));
  const body = JSON.stringify(forwarded);
  let answer = await post(ctx, order, body);
  if (answer.response.status === 409) {
    answer.release();
    const missing = ImageMissingBody.safeParse(await answer.response.json().catch(() => null));
    if (!missing.success) throw badGateway("The model runner sent a malformed image_missing answer.");
    // Stay on the runner that asked: it is the one that will have the images.
    await uploadMissing(ctx, answer.runner, missing.data.error.missing, images);
    answer = await post(ctx, [answer.runner], body);
    if (answer.response.status === 409) {
      answer.release();
      await answer.response.body?.cancel();
      throw badGateway("The model runner still lacks an image after it was uploaded.");
    }
  }
  if (!answer.response.ok) {
    answer.release();
    throw mapRunnerError(answer.response, await answer.response.text());
  }
  return dropped > 0 ? { ...answer, droppedByEdge: dropped } : answer;
}
