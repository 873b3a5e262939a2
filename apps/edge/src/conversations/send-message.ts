// POST /v1/conversations/{id}/messages: lock the conversation (409 when busy), resolve the
// images, send history + new turn to the conversation's rendezvous runner, and commit both
// messages only when the reply is done. Every failure releases the lock and is recorded; the
// lock is a lease renewed while the reply is alive (lease.ts), so a dead worker's lapses.
import { contentImages, contentText, createMessageRoute, ID_PREFIXES, toGenerationParams } from "@mmgpt/schema";
import type { DoneEvent, GenerateRequest, Turn } from "@mmgpt/schema/internal";
import { edgeConfig } from "../config";
import type { Deps } from "../env";
import { ApiError } from "../errors/api-error";
import { toApiError } from "../errors/render";
import { newId, unixSeconds } from "../http/ids";
import { newRouter } from "../http/router";
import { sseResponse } from "../http/sse";
import { conversationOrder, generationContext } from "../runner/context";
import { startGeneration } from "../runner/generate";
import { relayEvents, relayOptions } from "../runner/relay";
import { readResult } from "../runner/result";
import { RequestImages } from "../vision/request-images";
import { conversationStub, ownConversation } from "./access";
import { updateCounters } from "./index-store";
import { keepLease } from "./lease";
import { assistantMessage, committedMessage, messageTurn, rowTurn, userMessage } from "./messages";

export function sendMessageRoute(deps: Deps) {
  return newRouter().openapi(createMessageRoute, async (c) => {
    const row = await ownConversation(c, c.req.valid("param").conversation_id);
    const body = c.req.valid("json");
    const requestId = c.get("requestId");
    const stub = conversationStub(c, row.id);
    const generationId = newId("gen_");
    const leaseMs = edgeConfig(c.env).generationLeaseMs;
    const begun = await stub.begin(generationId, leaseMs);
    if (!begun.ok && begun.reason === "busy") {
      throw new ApiError("conversation_busy", "This conversation is generating a reply; wait for it to finish.");
    }
    if (!begun.ok) throw new ApiError("not_found", "No such conversation.", { param: "conversation_id" });
    const stopLease = keepLease(stub, generationId, leaseMs);
    let relaying = false; // from then on the relay's end stops the renewals

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
      const text = contentText(body.content);
      const images = new RequestImages(c.env, deps, c.get("principal").accountId);
      const parts = contentImages(body.content).map(({ url, part }) => ({
        url,
        param: `content.${part}.image_url.url`,
      }));
      const resolved = await images.resolveAll(parts).catch(async (error: unknown) => {
        await recordFailure(null); // the request's own fault (a bad image): unlock, record nothing
        throw error;
      });
      const user = userMessage(text, resolved);
      const turns: Turn[] = [...begun.history.map(rowTurn), messageTurn(user)];
      const stream = body.stream === true;
      const ctx = await generationContext(c, deps);
      const request: GenerateRequest = {
        request_id: requestId,
        model: begun.meta.model,
        tenant: ctx.tenant,
        conversation_id: row.id,
        ...(begun.meta.system !== null ? { system: begun.meta.system } : {}),
        turns,
        params: toGenerationParams(body),
        stream,
      };
      const answer = await startGeneration(ctx, conversationOrder(c, row.id), request, images.source);
      const assistantId = newId(ID_PREFIXES.message);

      // The only place turns are written: both messages at once, when the reply is complete.
      const commit = async (done: DoneEvent) => {
        const assistant = assistantMessage(assistantId, begun.meta.model, done);
        const counters = await stub.commit(generationId, [user, assistant]);
        if (!counters) throw new ApiError("internal_error", "The conversation changed during generation.");
        await updateCounters(c.env.DB, row.id, counters);
        return committedMessage(row.id, assistant);
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
        relayOptions(ctx),
      );
      relaying = true;
      return sseResponse(c, relay.body, relay.pumped.finally(stopLease)) as never;
    } catch (error) {
      // Before the stream started: the lock is released here (recordFailure is idempotent).
      await recordFailure(toApiError(error), c.req.raw.signal.aborted);
      throw error;
    } finally {
      if (!relaying) stopLease();
    }
  });
}
