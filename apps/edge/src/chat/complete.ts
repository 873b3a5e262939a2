// The one path from an OpenAI chat request to the runners, shared by POST /v1/chat/completions
// and the batch consumer: messages → turns → images resolved and stored → GenerateRequest, and
// (non-streaming) → the least loaded runner → `chat.completion`.
import { type ChatCompletion, type ChatCompletionRequest, ID_PREFIXES, toGenerationParams } from "@mmgpt/schema";
import type { GenerateRequest, Turn } from "@mmgpt/schema/internal";
import { newId, unixSeconds } from "../http/ids";
import type { GenerationContext } from "../runner/client";
import { startGeneration } from "../runner/generate";
import { readResult } from "../runner/result";
import type { RequestImages } from "../vision/request-images";
import { choiceOptions, toChatCompletion } from "./chunks";
import { toTurns } from "./turns";

/** Builds the runner request; image errors are thrown as ApiErrors naming the message part. */
export async function toGenerateRequest(
  body: ChatCompletionRequest,
  images: RequestImages,
  ctx: GenerationContext,
): Promise<GenerateRequest> {
  const draft = toTurns(body.messages);
  const turns: Turn[] = [];
  for (const turn of draft.turns) {
    const hashes = await images.resolveAll(turn.images);
    turns.push({ role: turn.role, text: turn.text, ...(hashes.length ? { images: hashes.map((i) => i.sha256) } : {}) });
  }
  return {
    request_id: ctx.requestId,
    model: body.model,
    tenant: ctx.tenant,
    ...(draft.system !== undefined ? { system: draft.system } : {}),
    turns,
    params: toGenerationParams(body),
    stream: body.stream === true,
  };
}

/** A whole (non-streamed) completion; every failure is thrown as an ApiError. */
export async function completeChat(
  ctx: GenerationContext,
  order: readonly string[],
  body: ChatCompletionRequest,
  images: RequestImages,
): Promise<ChatCompletion> {
  const request = await toGenerateRequest({ ...body, stream: false }, images, ctx);
  const answer = await startGeneration(ctx, order, request, images.source);
  const head = { id: newId(ID_PREFIXES.chatCompletion), model: body.model, created: unixSeconds() };
  return toChatCompletion(head, await readResult(answer), choiceOptions(body));
}
