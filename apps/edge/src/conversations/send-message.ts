// POST /v1/conversations/{id}/messages: lock the conversation (409 when busy), resolve the
// image, send history + new turn to the conversation's rendezvous runner, and commit both
// messages only when the reply is done. Every failure releases the lock and is recorded.
import { contentImageUrl, contentText, createMessageRoute, ID_PREFIXES, toGenerationParams } from "@mmgpt/schema";
import type { DoneEvent, GenerateRequest, Turn } from "@mmgpt/schema/internal";
import type { Deps } from "../env";
import { ApiError } from "../errors/api-error";
import { toApiError } from "../errors/render";
import { newId, unixSeconds } from "../http/ids";
import { newRouter } from "../http/router";
import { sseResponse } from "../http/sse";
import { conversationOrder, runnerContext } from "../runner/context";
import { startGeneration } from "../runner/generate";
import { relayEvents } from "../runner/relay";
import { readResult } from "../runner/result";
import { RequestImages, type ResolvedImage } from "../vision/request-images";
import { conversationStub, ownConversation } from "./access";
import type { NewMessage } from "./conversation-sql";
import { updateCounters } from "./index-store";
import { toMessage, userContent } from "./messages";

export function sendMessageRoute(deps: Deps) {
  return newRouter().openapi(createMessageRoute, async (c) => {
    const row = await ownConversation(c, c.req.valid("param").conversation_id);
    const body = c.req.valid("json");
    const requestId = c.get("requestId");
    const stub = conversationStub(c, row.id);
    const generationId = newId("gen_");
    const begun = await stub.begin(generationId);
    if (!begun.ok && begun.reason === "busy") {
      throw new ApiError("conversation_busy", "This conversation is generating a reply; wait for it to finish.");
    }
    if (!begun.ok) throw new ApiError("not_found", "No such conversation.", { param: "conversation_id" });

    const recordFailure = async (error: ApiError | null, cancelled = false) => {
      const record = error && {
        code: cancelled ? "cancelled" : error.code,
        message: cancelled ? "The client disconnected before the reply completed." : error.message,
        request_id: requestId,
        at: unixSeconds(),
      };
      await stub.fail(generationId, record).catch(() => {});
    };

    try {
      // Validation problems of this request (a bad image) release the lock without a record.
      let image: ResolvedImage | null = null;
      const imageUrl = contentImageUrl(body.content);
      const images = new RequestImages(c.env, deps, c.get("principal").accountId);
      const text = contentText(body.content);
      try {
        if (imageUrl) {
          const index = typeof body.content === "string" ? -1 : body.content.findIndex((p) => p.type === "image_url");
          image = await images.resolve(imageUrl, `content.${index}.image_url.url`);
        }
      } catch (error) {
        await recordFailure(null);
        throw error;
      }
      const turns: Turn[] = begun.history.map((m) => ({
        role: m.role,
        text: m.text,
        ...(m.image_sha256 ? { image: m.image_sha256 } : {}),
      }));
      turns.push({ role: "user", text, ...(image ? { image: image.sha256 } : {}) });
      const stream = body.stream === true;
      const request: GenerateRequest = {
        request_id: requestId,
        model: begun.meta.model,
        conversation_id: row.id,
        ...(begun.meta.system !== null ? { system: begun.meta.system } : {}),
        turns,
        params: toGenerationParams(body),
        stream,
      };
      const ctx = runnerContext(c, deps);
      const answer = await startGeneration(ctx, conversationOrder(c, row.id), request, images.source);
      const assistantId = newId(ID_PREFIXES.message);
      const userMessage: NewMessage = {
        id: newId(ID_PREFIXES.message),
        role: "user",
        text,
        content: userContent(text, image),
        image_sha256: image?.sha256 ?? null,
        model: null,
        finish_reason: null,
        usage: null,
        created_at: unixSeconds(),
      };

      const commit = async (done: DoneEvent) => {
        const assistant: NewMessage = {
          id: assistantId,
          role: "assistant",
          text: done.text,
          content: done.text ? [{ type: "text", text: done.text }] : [],
          image_sha256: null,
          model: begun.meta.model,
          finish_reason: done.finish_reason,
          usage: done.usage,
          created_at: unixSeconds(),
        };
        const counters = await stub.commit(generationId, [userMessage, assistant]);
        if (!counters) throw new ApiError("internal_error", "The conversation changed during generation.");
        await updateCounters(c.env.DB, row.id, counters);
        return toMessage(row.id, {
          ...assistant,
          seq: 0,
          status: "completed",
          content: JSON.stringify(assistant.content),
          usage: JSON.stringify(done.usage),
        });
      };

      if (!stream) return c.json(await commit(await readResult(answer)), 200);
      const relay = relayEvents(
        answer,
        {
          onEvent: (event) =>
            event.type === "delta"
              ? [
                  {
                    object: "conversation.message.delta",
                    id: assistantId,
                    conversation_id: row.id,
                    delta: { content: event.text },
                  },
                ]
              : [],
          onDone: async (done) => [await commit(done)],
          onFailure: (error, clientGone) => recordFailure(error, clientGone),
        },
        { requestId, idleTimeoutMs: ctx.timeoutMs, clientSignal: ctx.signal },
      );
      return sseResponse(c, relay.body, relay.pumped) as never;
    } catch (error) {
      // Before the stream started: the lock is released here (recordFailure is idempotent).
      await recordFailure(toApiError(error), c.req.raw.signal.aborted);
      throw error;
    }
  });
}
