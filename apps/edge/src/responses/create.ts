// POST /v1/responses: the stored state a response continues (a conversation, under its
// generation lock, or a previous_response_id chain), its input resolved and stored by hash,
// the whole as turns through the chat path's runner call, and on completion the conversation
// commit and the stored response. Nothing is written when the generation fails.
//
//   1 state: conversation items (locked) | the chain's inputs and outputs | nothing
//   2 input items → stored messages (images resolved, item references read back from D1),
//     system = conversation's + instructions
//   3 GenerateRequest (toResponseParams: the one mapping of a Responses request's parameters)
//   4 runner: a conversation or chain sticks to its runner (KV reuse), else least loaded
//   5 done → Response object; conversation commit; D1 row when store
import { createResponseRoute, ID_PREFIXES, type ResponseObject, toResponseParams } from "@mmgpt/schema";
import type { DoneEvent, GenerateRequest } from "@mmgpt/schema/internal";
import type { Context } from "hono";
import { ownConversation } from "../conversations/access";
import type { NewMessage } from "../conversations/conversation-sql";
import { inputItems, resolveItems } from "../conversations/items";
import { assistantMessage, parseRow, storedTurns } from "../conversations/messages";
import { ConversationTurn } from "../conversations/turn-lock";
import type { AppEnv, Deps } from "../env";
import { notFound } from "../errors/api-error";
import { toApiError } from "../errors/render";
import { newId, unixSeconds } from "../http/ids";
import { newRouter } from "../http/router";
import { sseResponse } from "../http/sse";
import { modelIds } from "../meta/models";
import { conversationOrder, generationContext } from "../runner/context";
import { unavailable } from "../runner/errors";
import { startGeneration } from "../runner/generate";
import { relayEvents, relayOptions } from "../runner/relay";
import { readResult } from "../runner/result";
import { RequestImages } from "../vision/request-images";
import { readReferences } from "./item-references";
import { type ResponseHead, responseObject } from "./response-object";
import { checkStorable, insertResponse, loadChain, type StoredResponse } from "./response-store";
import { ResponseEvents } from "./stream-events";

type Stored = Pick<NewMessage, "role" | "text" | "content">;

/** A chain's messages, oldest first: each response's input, then its reply (its first choice). */
function chainMessages(chain: readonly StoredResponse[]): Stored[] {
  return chain.flatMap((row) => {
    const body = JSON.parse(row.body) as ResponseObject;
    const reply = body.output[0]?.content.map((p) => p.text).join("") ?? "";
    return [
      ...(JSON.parse(row.input_items) as Stored[]),
      { role: "assistant" as const, text: reply, content: reply ? [{ type: "text" as const, text: reply }] : [] },
    ];
  });
}

/** What the response continues: the locked conversation, or a chain read from D1. */
async function priorState(c: Context<AppEnv>, conversationId: string | null, previousId: string | null) {
  if (conversationId) {
    const row = await ownConversation(c, conversationId, "conversation");
    const turn = await ConversationTurn.begin(c, row.id, "conversation");
    return { turn, history: turn.history.map(parseRow), rootId: row.id, param: "conversation" };
  }
  if (previousId) {
    const chain = await loadChain(c.env.DB, c.get("principal").accountId, previousId);
    if (!chain.length) throw notFound("response", "previous_response_id");
    return { turn: null, history: chainMessages(chain), rootId: chain[0]!.root_id, param: "previous_response_id" };
  }
  return { turn: null, history: [] as Stored[], rootId: null, param: "input" };
}

export function createResponseRoutes(deps: Deps) {
  return newRouter().openapi(createResponseRoute, async (c) => {
    const body = c.req.valid("json");
    const accountId = c.get("principal").accountId;
    const requestId = c.get("requestId");
    const conversationId = typeof body.conversation === "string" ? body.conversation : (body.conversation?.id ?? null);
    const previousId = body.previous_response_id ?? null;
    const { turn, history, rootId, param } = await priorState(c, conversationId, previousId);

    try {
      const model = body.model ?? turn?.meta.model ?? (await modelIds(c, deps))[0];
      if (!model) throw unavailable("No model is served right now; retry later.");
      const images = new RequestImages(c.env, deps, accountId);
      const items = inputItems(body.input);
      const input = await readReferences(c.env.DB, accountId, items, "input")
        .then((referenced) => resolveItems(items, images, "input", referenced))
        .catch(async (error: unknown) => {
          await turn?.fail(null); // the request's own fault (a bad image or reference): unlock, record nothing
          throw error;
        });
      const store = body.store ?? true;
      if (store) checkStorable(input);
      const { system, turns } = storedTurns([...history, ...input], [turn?.meta.system, body.instructions], (i) =>
        i < history.length ? param : `input.${i - history.length}`,
      );
      const head: ResponseHead = {
        id: newId(ID_PREFIXES.response),
        messageIds: Array.from({ length: body.n ?? 1 }, () => newId(ID_PREFIXES.message)),
        created_at: unixSeconds(),
        model,
        conversationId,
        // Stored state is meant to keep going (the demo kept a bounded history); a one-off
        // request keeps OpenAI's default.
        truncation: body.truncation ?? (turn || previousId ? "auto" : "disabled"),
        store,
        body,
      };
      const stream = body.stream === true;
      const affinity = rootId ?? head.id;
      const ctx = await generationContext(c, deps);
      const request: GenerateRequest = {
        request_id: requestId,
        model,
        tenant: ctx.tenant,
        conversation_id: affinity,
        ...(system !== undefined ? { system } : {}),
        turns,
        params: toResponseParams(body),
        stream,
        truncation: head.truncation,
      };
      const answer = await startGeneration(ctx, conversationOrder(c, affinity), request, images.source);

      // The only writes: the conversation's turn and the stored response, once the reply is done.
      const finish = async (done: DoneEvent) => {
        const response = responseObject(head, { status: "done", done });
        await turn?.commit([...input, assistantMessage(head.messageIds[0]!, model, done)]);
        if (store) {
          await insertResponse(c.env.DB, {
            id: head.id,
            account_id: accountId,
            previous_response_id: previousId,
            root_id: affinity,
            conversation_id: conversationId,
            created_at: head.created_at,
            body: response,
            input,
          });
        }
        return response;
      };

      if (!stream) return c.json(await finish(await readResult(answer)), 200);
      const events = new ResponseEvents(head);
      const relay = relayEvents(
        answer,
        {
          onEvent: (event) => (event.type === "start" ? events.open() : events.delta(event)),
          onDone: async (done) => events.finish(await finish(events.withLogprobs(done))),
          onFailure: async (error, clientGone) => {
            await turn?.fail(error, clientGone);
            return events.failed(error);
          },
        },
        { ...relayOptions(ctx), namedEvents: true },
      );
      return sseResponse(c, relay.body, relay.pumped) as never;
    } catch (error) {
      // Before the stream started: the lock is released here (fail is idempotent).
      await turn?.fail(toApiError(error), c.req.raw.signal.aborted);
      throw error;
    }
  });
}
