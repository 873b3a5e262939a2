// POST /v1/conversations/{id}/messages (extension): lock the conversation (409 when busy),
// resolve the images, send the items + new turn to the conversation's rendezvous runner
// (truncation "auto" by default), and commit both messages only when the reply is done. Every
// failure releases the lock and is recorded; the lock is a lease renewed while the reply is
// alive (turn-lock.ts), so a dead worker's lapses.
import { contentImages, contentText, createMessageRoute, ID_PREFIXES, toGenerationParams } from "@mmgpt/schema";
import type { DoneEvent, GenerateRequest } from "@mmgpt/schema/internal";
import type { Deps } from "../env";
import { toApiError } from "../errors/render";
import { newId } from "../http/ids";
import { newRouter } from "../http/router";
import { sseResponse } from "../http/sse";
import { conversationOrder, generationContext } from "../runner/context";
import { startGeneration } from "../runner/generate";
import { relayEvents, relayOptions } from "../runner/relay";
import { readResult } from "../runner/result";
import { RequestImages } from "../vision/request-images";
import { ownConversation } from "./access";
import { assistantMessage, committedMessage, parseRow, storedMessage, storedTurns } from "./messages";
import { ConversationTurn } from "./turn-lock";

export function sendMessageRoute(deps: Deps) {
  return newRouter().openapi(createMessageRoute, async (c) => {
    const row = await ownConversation(c, c.req.valid("param").conversation_id);
    const body = c.req.valid("json");
    const requestId = c.get("requestId");
    const turn = await ConversationTurn.begin(c, row.id, "conversation_id");

    try {
      const images = new RequestImages(c.env, deps, c.get("principal").accountId);
      const parts = contentImages(body.content).map(({ url, part }) => ({
        url,
        param: `content.${part}.image_url.url`,
      }));
      const resolved = await images.resolveAll(parts).catch(async (error: unknown) => {
        await turn.fail(null); // the request's own fault (a bad image): unlock, record nothing
        throw error;
      });
      const user = storedMessage("user", contentText(body.content), resolved);
      const { system, turns } = storedTurns([...turn.history.map(parseRow), user], [turn.meta.system], (i) =>
        i < turn.history.length ? "conversation_id" : "content",
      );
      const stream = body.stream === true;
      const ctx = await generationContext(c, deps);
      const request: GenerateRequest = {
        request_id: requestId,
        model: turn.meta.model,
        tenant: ctx.tenant,
        conversation_id: row.id,
        ...(system !== undefined ? { system } : {}),
        turns,
        params: toGenerationParams(body),
        stream,
        truncation: body.truncation ?? "auto",
      };
      const answer = await startGeneration(ctx, conversationOrder(c, row.id), request, images.source);
      const assistantId = newId(ID_PREFIXES.message);

      // The only place turns are written: both messages at once, when the reply is complete.
      const commit = async (done: DoneEvent) => {
        const assistant = assistantMessage(assistantId, turn.meta.model, done);
        await turn.commit([user, assistant]);
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
          onFailure: (error, clientGone) => turn.fail(error, clientGone),
        },
        relayOptions(ctx),
      );
      return sseResponse(c, relay.body, relay.pumped) as never;
    } catch (error) {
      // Before the stream started: the lock is released here (fail is idempotent).
      await turn.fail(toApiError(error), c.req.raw.signal.aborted);
      throw error;
    }
  });
}
